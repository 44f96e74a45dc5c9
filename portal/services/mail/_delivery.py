"""Delivering the outbox: claim a batch, send it over one SMTP connection, record each outcome.

A claim's lease runs from the claim and is renewed every third of it while the batch is in hand;
a run stops after its time budget, and a sender that finds its claim gone (it was stopped longer
than the lease, and another sender took the messages over) records nothing and stops.

The remaining window, honestly: SMTP cannot be exactly-once. A message is recorded as sent as
soon as the server accepts its DATA, so a crash or a dropped connection can only double a
message in the moment between that reply and the UPDATE that records it (or when a sender is
stopped, mid-message, for longer than its lease). Such a copy carries the same Message-ID,
derived from the outbox row, so the receiving system can drop it.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from portal.models import OutboxMessage

from . import _outbox as outbox
from . import _pauses as pauses
from ._smtp import (
    Connection,
    ConnectionLost,
    MessageRefused,
    RecipientRefused,
    SenderProblem,
    SmtpSettings,
    SmtpTransport,
    TemporaryFailure,
    Transport,
)

log = logging.getLogger(__name__)
BATCH_SIZE = 50


def message_id_for(row: OutboxMessage, sender: str) -> str:
    """The same Message-ID on every attempt at one outbox row, so receivers can spot a copy."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "compact-audit.invalid"
    return f"<outbox-{row.id}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at.replace(tzinfo=UTC))
    message["Message-ID"] = message_id_for(row, sender)
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    for attachment in row.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


@dataclass
class DeliveryReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    undelivered: int = 0  # retry window ended during this run
    paused: str | None = None  # the sender problem that stopped this run
    stopped: str | None = None  # why the run stopped early otherwise (time budget, lost claim)

    @property
    def attempted(self) -> int:
        return self.sent + self.deferred + self.failed


@dataclass(frozen=True)
class DeliveryLimits:
    """How long a claim holds and a run lasts (settings MAIL_LEASE_SECONDS, MAIL_RUN_SECONDS)."""

    lease: timedelta = outbox.LEASE
    run_seconds: float = 240.0
    stalls_before_pause: int = 2  # timeouts or lost connections in a row (MAIL_STALLS_BEFORE_PAUSE)


@dataclass(frozen=True)
class _Prepared:
    row: OutboxMessage
    message: EmailMessage | None
    error: str | None = None


class _ClaimLost(Exception):
    """Another sender holds this sender's messages now: it stops without recording anything."""


@dataclass
class _Run:
    """One delivery run: its token, its clock (the caller's `now` plus the time elapsed since),
    its limits and its report. Leases are counted on the clock; outcomes are recorded at the
    caller's `now` (`started`), as before, so a replay with --now records the same times."""

    started: datetime
    limits: DeliveryLimits
    clock: Callable[[], float] = time.monotonic
    token: str = field(default_factory=lambda: new_sender_token())
    report: DeliveryReport = field(default_factory=DeliveryReport)
    stalls: int = 0  # timeouts or lost connections since the last message went through

    def __post_init__(self) -> None:
        self.origin = self.clock()

    def elapsed(self) -> float:
        return self.clock() - self.origin

    def now(self) -> datetime:
        """The caller's `now` moved on by the whole seconds this run has taken."""
        return self.started + timedelta(seconds=int(self.elapsed()))

    def out_of_time(self) -> bool:
        return self.elapsed() >= self.limits.run_seconds


@dataclass
class _Batch:
    """Claimed messages not yet tried, and when their lease was last renewed (run seconds);
    recipients refused for good are judged once the batch is over (_settle_refusals)."""

    waiting: list[_Prepared]
    renewed_at: float
    tried: int = 0
    refused: list[tuple[_Prepared, RecipientRefused]] = field(default_factory=list)


def new_sender_token() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def deliver_outbox(
    sessions: sessionmaker[Session], transport: Transport | None, *, sender: str, now: datetime,
    limit: int = 5000, batch_size: int = BATCH_SIZE, limits: DeliveryLimits | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> DeliveryReport:
    """Send due outbox messages: claim a batch, send it on one connection, record each outcome.
    `clock` (seconds, only differences count) times the run's lease renewals and its limit."""
    run = _Run(started=now, limits=limits or DeliveryLimits(), clock=clock)
    report = run.report
    with sessions.begin() as session:
        report.undelivered = outbox.expire_overdue(session, now=now)
    if transport is None:
        _log_pending(sessions, now)
        return report
    while report.attempted < limit and not (report.paused or report.stopped):
        if run.out_of_time():
            report.stopped = f"the run used its {run.limits.run_seconds:g} s"
            break
        batch = _claim(sessions, run, min(batch_size, limit - report.attempted), sender)
        if not batch.waiting:
            break
        _send_batch(sessions, transport, batch, run)
    return report


def _claim(sessions: sessionmaker[Session], run: _Run, limit: int, sender: str) -> _Batch:
    renewed_at = run.elapsed()
    with sessions.begin() as session:
        rows = outbox.claim_messages(session, token=run.token, now=run.now(), limit=limit,
                                     lease=run.limits.lease)
        return _Batch([_prepare(row, sender) for row in rows], renewed_at)


def _prepare(row: OutboxMessage, sender: str) -> _Prepared:
    try:
        return _Prepared(row, build_message(row, sender))
    except (ValueError, TypeError) as exc:  # e.g. a malformed header: this message alone fails
        return _Prepared(row, None, f"Could not build the message: {exc}")


def _send_batch(
    sessions: sessionmaker[Session], transport: Transport, batch: _Batch, run: _Run
) -> None:
    try:
        with transport.connect() as connection:
            while batch.waiting and _may_go_on(sessions, batch, run):
                _send_one(sessions, connection, batch, run)
                batch.waiting.pop(0)
    except SenderProblem as exc:
        _pause(sessions, run, str(exc))
    except ConnectionLost as exc:
        _connection_lost(sessions, batch, run, str(exc))
    except _ClaimLost:
        _claim_lost(run)
    _settle_refusals(sessions, batch, run)
    _release(sessions, batch, run)


def _claim_lost(run: _Run) -> None:
    run.report.stopped = "another sender took over its messages (its claim ran out)"
    log.warning("Mail sender %s stopped: %s", run.token, run.report.stopped)


def _settle_refusals(sessions: sessionmaker[Session], batch: _Batch, run: _Run) -> None:
    """Refused recipients bounce, unless the relay is the one refusing: the same refusal for
    most of the batch (at least two), e.g. "550 5.7.1" to every recipient of a relay that will
    not relay for the portal. Then delivery pauses and the messages stay queued."""
    if not batch.refused:
        return
    count = max(Counter(exc.kind for _, exc in batch.refused).values())
    if run.report.paused is None and count >= 2 and count * 2 > batch.tried:
        _pause(sessions, run, f"the server refused {count} of {batch.tried} recipients with "
                              f"the same answer, so it is refusing the portal, not the "
                              f"addresses: {batch.refused[0][1]}")
    if run.report.paused is not None:
        batch.waiting.extend(prepared for prepared, _ in batch.refused)
        return
    try:
        for prepared, exc in batch.refused:
            _record(sessions, run, outbox.mark_bounced, prepared.row,
                    f"Recipient refused: {exc}", token=run.token, now=run.started)
            run.report.failed += 1
    except _ClaimLost:
        _claim_lost(run)


def _may_go_on(sessions: sessionmaker[Session], batch: _Batch, run: _Run) -> bool:
    """Within the run's time, and still holding the batch: its lease renewed every third."""
    if run.out_of_time():
        run.report.stopped = f"the run used its {run.limits.run_seconds:g} s"
        return False
    if run.elapsed() - batch.renewed_at >= run.limits.lease.total_seconds() / 3:
        ids = [p.row.id for p in batch.waiting]
        batch.renewed_at = run.elapsed()
        with sessions.begin() as session:
            held = outbox.renew(session, ids, token=run.token, now=run.now(),
                                lease=run.limits.lease)
        if len(held) < len(ids):
            raise _ClaimLost
    return True


def _pause(sessions: sessionmaker[Session], run: _Run, reason: str) -> None:
    run.report.paused = reason
    log.warning("Email is not being delivered: %s", reason)
    with sessions.begin() as session:
        pauses.record_pause(session, reason, now=run.started)


def _connection_lost(
    sessions: sessionmaker[Session], batch: _Batch, run: _Run, error: str
) -> None:
    """The message in flight may have gone: it is retried later (with the same Message-ID).
    Several in a row (a stalling or dropping relay) pause delivery, as a sender problem does."""
    row = batch.waiting.pop(0).row
    with sessions.begin() as session:
        outbox.mark_temporary_failure(session, row.id, error, token=run.token, now=run.started,
                                      attempts=row.attempts)
    run.report.deferred += 1
    run.stalls += 1
    if run.stalls >= run.limits.stalls_before_pause:
        _pause(sessions, run, f"the mail server stopped answering ({run.stalls} timeouts or "
                              f"lost connections in a row; the last: {error})")


def _release(sessions: sessionmaker[Session], batch: _Batch, run: _Run) -> None:
    """Messages claimed but not tried go back to the outbox (if this sender still holds them)."""
    if batch.waiting:
        with sessions.begin() as session:
            outbox.release(session, [p.row.id for p in batch.waiting], token=run.token)
        batch.waiting.clear()


def _send_one(
    sessions: sessionmaker[Session], connection: Connection, batch: _Batch, run: _Run
) -> None:
    prepared = batch.waiting[0]
    row, report = prepared.row, run.report
    if prepared.message is None:
        _record(sessions, run, outbox.mark_failed, row.id, prepared.error or "",
                token=run.token, attempts=row.attempts)
        report.failed += 1
        return
    batch.tried += 1
    try:
        connection.send(prepared.message)
    except RecipientRefused as exc:
        batch.refused.append((prepared, exc))
    except MessageRefused as exc:
        _record(sessions, run, outbox.mark_failed, row.id, f"Message refused: {exc}",
                token=run.token, attempts=row.attempts)
        report.failed += 1
    except TemporaryFailure as exc:
        _record(sessions, run, outbox.mark_temporary_failure, row.id, str(exc),
                token=run.token, now=run.started, attempts=row.attempts)
        report.deferred += 1
    else:
        _record(sessions, run, _mark_sent, row.id, token=run.token, now=run.started,
                first=report.sent == 0)
        report.sent += 1
        run.stalls = 0


def _mark_sent(session: Session, message_id: int, *, token: str, now: datetime,
               first: bool) -> bool:
    held = outbox.mark_sent(session, message_id, token=token, now=now)
    if held and first:
        pauses.end_pause(session, now=now)
    return held


def _record(sessions: sessionmaker[Session], run: _Run, mark: Callable[..., bool],
            *args: Any, **kwargs: Any) -> None:
    """Record an outcome in its own transaction; if the claim was lost, stop (_ClaimLost)."""
    with sessions.begin() as session:
        held = mark(session, *args, **kwargs)
    if not held:
        raise _ClaimLost


def _log_pending(sessions: sessionmaker[Session], now: datetime) -> None:
    with sessions() as session:
        for row in outbox.due_messages(session, now=now, limit=50):
            log.info("No MAIL_SERVER: email %s to %s stays in the outbox: %s",
                     row.id, row.to_address, row.subject)


def transport_for(config: Mapping[str, Any]) -> Transport | None:
    """SMTP when MAIL_SERVER is set; None in development, where mail stays in the outbox."""
    if not config.get("MAIL_SERVER"):
        return None
    return SmtpTransport(SmtpSettings(
        server=config["MAIL_SERVER"], port=int(config["MAIL_PORT"]),
        use_tls=bool(config["MAIL_USE_TLS"]), username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"), timeout=int(config.get("MAIL_TIMEOUT", 10)),
        deadline=float(config.get("MAIL_MESSAGE_SECONDS", 30)),
    ))


def limits_for(config: Mapping[str, Any]) -> DeliveryLimits:
    """The lease and the run's time budget from an app's settings."""
    return DeliveryLimits(lease=timedelta(seconds=int(config.get("MAIL_LEASE_SECONDS", 300))),
                          run_seconds=float(config.get("MAIL_RUN_SECONDS", 240)),
                          stalls_before_pause=int(config.get("MAIL_STALLS_BEFORE_PAUSE", 2)))
