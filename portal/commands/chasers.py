"""flask chasers send: record and queue every due chaser, then deliver the outbox."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.commands.common import (
    NOW_OPTION,
    link_settings,
    parse_now,
    record_job_success,
    transaction,
)
from portal.commands.requests import echo_reminders, queue_reminders
from portal.delivery import deliver_from_app
from portal.services.chasers import ChaserRun, send_due_chasers
from portal.services.common import uk_today

group = AppGroup("chasers", help="Reminder and chase emails.")


@group.command("send")
@NOW_OPTION
@click.option("--min-gap", type=click.IntRange(min=0), default=None, metavar="DAYS",
              help="Working days to leave between two chasers to one agency "
                   "(default: the CHASER_MIN_GAP_WORKING_DAYS setting, 2).")
def send(now_text: str | None, min_gap: int | None) -> None:
    """Send every chaser that is due and not yet sent; safe to rerun, and to run twice at once."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    now = parse_now(now_text)
    if min_gap is None:
        min_gap = int(app.config["CHASER_MIN_GAP_WORKING_DAYS"])
    with transaction() as session:
        run = send_due_chasers(session, now=now, links=link_settings(),
                               min_gap_working_days=min_gap)
    _echo_run(run, uk_today(now).isoformat())
    echo_reminders(queue_reminders(now=now), uk_today(now).isoformat())  # information requests
    report = deliver_from_app(app, now=now)
    click.echo(f"Outbox: sent {report.sent}, deferred {report.deferred}, failed {report.failed}")
    if report.paused:
        click.echo(f"Email is not being delivered: {report.paused}. Messages stay queued.")
    record_job_success("chasers")  # the chasers were decided and queued: mail has its own figure


def _echo_run(run: ChaserRun, day: str) -> None:
    for sent in run.sent:
        click.echo(f"{day} {sent.cycle}: {sent.stage} to {sent.agency} "
                   f"({', '.join(sent.recipients)})")
    for agency, why in run.held:
        click.echo(f"{day} held for {agency}: {why}")
    for address in run.summaries_to:
        click.echo(f"{day} final-notice summary to {address}")
    click.echo(f"Chasers queued: {len(run.sent)}, held: {len(run.held)}")
