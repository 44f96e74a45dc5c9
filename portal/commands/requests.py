"""flask requests remind: reminders for unanswered information requests."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from portal.commands.common import NOW_OPTION, link_settings, parse_now, transaction
from portal.delivery import deliver_from_app
from portal.services.common import uk_today
from portal.services.requests import SentReminder, send_due_reminders

group = AppGroup("requests", help="Information requests to agencies.")


@group.command("remind")
@NOW_OPTION
def remind(now_text: str | None) -> None:
    """Send every request reminder that is due and not yet sent (`flask chasers send` does too)."""
    now = parse_now(now_text)
    echo_reminders(queue_reminders(now=now), uk_today(now).isoformat())
    report = deliver_from_app(current_app._get_current_object(), now=now)  # type: ignore[attr-defined]
    click.echo(f"Outbox: sent {report.sent}, deferred {report.deferred}, failed {report.failed}")


def queue_reminders(*, now: datetime) -> list[SentReminder]:
    with transaction() as session:
        return send_due_reminders(session, now=now, links=link_settings())


def echo_reminders(sent: list[SentReminder], day: str) -> None:
    for reminder in sent:
        click.echo(f"{day} request reminder: “{reminder.request}” to {reminder.agency} "
                   f"({', '.join(reminder.recipients)})")
    click.echo(f"Request reminders queued: {len(sent)}")
