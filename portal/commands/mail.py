"""flask mail send | worker | retry: deliver the outbox (web requests only queue)."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError

from portal.commands.common import NOW_OPTION, parse_now, record_job_success, transaction
from portal.db import database_reason
from portal.delivery import deliver_from_app, run_worker
from portal.services.mail import BATCH_SIZE, DeliveryReport, retry_failed, retry_undelivered

group = AppGroup("mail", help="The outbox.")


def _summary(report: DeliveryReport) -> str:
    text = (f"Sent {report.sent}, deferred {report.deferred}, failed {report.failed}, "
            f"undelivered after the retry window {report.undelivered}")
    if report.paused:
        text += f"\nEmail is not being delivered: {report.paused}. Messages stay queued."
    if report.stopped:
        text += f"\nStopped early: {report.stopped}. The next run carries on."
    return text


@group.command("send")
@NOW_OPTION
@click.option("--batch", "batch_size", type=click.IntRange(min=1), default=BATCH_SIZE,
              show_default=True, help="Messages claimed and sent over one connection at a time.")
def send(now_text: str | None, batch_size: int) -> None:
    """Deliver pending outbox messages that are due (retries included); safe to run at once."""
    try:
        report = deliver_from_app(current_app._get_current_object(), now=parse_now(now_text),  # type: ignore[attr-defined]
                                  batch_size=batch_size)
    except DBAPIError as exc:  # a full disk, a database that is down: one line, exit 1
        raise click.ClickException(f"Mail not sent: database error ({database_reason(exc)}). "
                                   f"Messages stay queued for the next run.") from exc
    click.echo(_summary(report))
    if not report.paused:
        record_job_success("mail")


def _worker_report(report: DeliveryReport) -> None:
    click.echo(_summary(report))
    if not report.paused:
        record_job_success("mail")


@group.command("worker")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds to wait when the outbox is empty.")
@click.option("--paused-interval", type=click.FloatRange(min=0.1), default=60.0,
              show_default=True, help="Seconds to wait after a mail server problem.")
def worker(interval: float, paused_interval: float) -> None:
    """Keep delivering the outbox until stopped (SIGTERM or Ctrl-C finish the batch in hand)."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"Stopping after the current batch ({signal.Signals(signum).name})")
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    click.echo("Mail worker started", err=False)
    run_worker(current_app._get_current_object(), stop=stop, interval=interval,  # type: ignore[attr-defined]
               paused_interval=paused_interval, on_report=_worker_report,
               notify=lambda line: click.echo(line, err=True))
    click.echo("Mail worker stopped")


@group.command("retry")
@NOW_OPTION
@click.option("--failed", "failed", is_flag=True,
              help="Also queue failed messages again (refused by a misconfigured relay), "
                   "clearing the bounce of the contacts they were addressed to.")
def retry(now_text: str | None, failed: bool) -> None:
    """Queue every undelivered message again (after fixing what stopped it)."""
    now = parse_now(now_text)
    with transaction() as session:
        count = retry_undelivered(session, now=now)
        if failed:
            count += retry_failed(session, now=now)
    click.echo(f"Queued again: {count}")
