"""flask mail send: deliver the outbox."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.commands.common import NOW_OPTION, parse_now
from portal.delivery import deliver_from_app

group = AppGroup("mail", help="The outbox.")


@group.command("send")
@NOW_OPTION
def send(now_text: str | None) -> None:
    """Deliver pending outbox messages that are due (retries included)."""
    report = deliver_from_app(current_app._get_current_object(), now=parse_now(now_text))  # type: ignore[attr-defined]
    click.echo(f"Sent {report.sent}, deferred {report.deferred}, failed {report.failed}")
