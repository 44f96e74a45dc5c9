"""flask cycles open / close, and change or delete a draft."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.commands.common import (
    NOW_OPTION,
    link_settings,
    parse_date,
    parse_now,
    survey_settings,
    transaction,
)
from portal.models import Cohort
from portal.services import cycles
from portal.services.reporting import close_and_publish

group = AppGroup("cycles", help="Audit cycles: issue the tool, close and escalate.")


@group.command("open")
@click.option("--label", required=True, help="The audit year, e.g. 2018-19.")
@click.option("--cohort", required=True, type=click.Choice([c.value for c in Cohort]))
@click.option("--deadline", "deadline_text", required=True, metavar="YYYY-MM-DD")
@click.option("--final-deadline", "final_text", default=None, metavar="YYYY-MM-DD",
              help="Default: 20 working days after the deadline.")
@click.option("--tool-version", default=None, help="Default: the latest loaded tool.")
@NOW_OPTION
def open_command(label: str, cohort: str, deadline_text: str, final_text: str | None,
                 tool_version: str | None, now_text: str | None) -> None:
    """Create a cycle, issue returns to the cohort plus last cycle's non-returners, invite them."""
    now = parse_now(now_text)
    deadline = parse_date(deadline_text, "--deadline")
    assert deadline is not None  # required option
    conflict = f"Cycle {label} was opened by another run at the same time. This run changed nothing."
    busy = (f"The database was busy with another change (perhaps another `flask cycles open`). "
            f"This run changed nothing: check whether cycle {label} is open before running it "
            f"again.")
    with transaction(conflict=conflict, busy=busy) as session:
        tool = cycles.get_tool_by_version(session, tool_version) if tool_version else None
        cycle = cycles.create_cycle(session, label=label, cohort=cohort, deadline=deadline,
                                    final_deadline=parse_date(final_text, "--final-deadline"),
                                    tool_version=tool, now=now)
        returns = cycles.open_cycle(session, cycle, now=now, links=link_settings())
        carried = sum(1 for r in returns if r.carried_over)
        final = cycle.final_deadline
    click.echo(f"Opened {label}: {len(returns)} returns issued ({carried} carried over); "
               f"final deadline {final:%Y-%m-%d}. Invitations are in the outbox "
               "(flask mail send).")


@group.command("close")
@click.option("--label", required=True)
@NOW_OPTION
def close_command(label: str, now_text: str | None) -> None:
    """Close a cycle after its final deadline, escalating every return not submitted, and
    store its MESC report as published."""
    with transaction() as session:
        result = close_and_publish(session, cycles.get_cycle(session, label),
                                   now=parse_now(now_text), survey_settings=survey_settings())
        escalated, chair = len(result.escalations), result.chair_meetings
    click.echo(f"Closed {label}: {escalated} returns escalated, {chair} need a Chair meeting. "
               "The report is published as version 1.")


@group.command("change")
@click.option("--label", required=True, help="The draft cycle to change.")
@click.option("--new-label", default=None)
@click.option("--cohort", default=None, type=click.Choice([c.value for c in Cohort]))
@click.option("--deadline", "deadline_text", default=None, metavar="YYYY-MM-DD")
@click.option("--final-deadline", "final_text", default=None, metavar="YYYY-MM-DD",
              help="Default: 20 working days after the deadline.")
def change_command(label: str, new_label: str | None, cohort: str | None,
                   deadline_text: str | None, final_text: str | None) -> None:
    """Change a draft cycle (one created on the web and not yet opened)."""
    deadline = parse_date(deadline_text, "--deadline")
    with transaction() as session:
        cycle = cycles.get_cycle(session, label)
        changed = cycles.update_draft(
            session, cycle, label=new_label or cycle.label, cohort=cohort or cycle.cohort,
            deadline=deadline or cycle.deadline,
            final_deadline=parse_date(final_text, "--final-deadline")
            or (None if deadline else cycle.final_deadline))
        summary = (f"Draft cycle {changed.label}: cohort {changed.cohort}, deadline "
                   f"{changed.deadline:%Y-%m-%d}, final deadline {changed.final_deadline:%Y-%m-%d}.")
    click.echo(summary)


@group.command("delete")
@click.option("--label", required=True, help="The draft cycle to delete.")
def delete_command(label: str) -> None:
    """Delete a draft cycle: nothing was issued for it, and its label is free again."""
    with transaction() as session:
        cycles.delete_draft(session, cycles.get_cycle(session, label))
    click.echo(f"Deleted draft cycle {label}.")
