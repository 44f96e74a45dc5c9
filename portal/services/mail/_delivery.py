"""Delivering the outbox: claim a batch, send it over one SMTP connection, record each outcome.

The remaining window, honestly: SMTP cannot be exactly-once. A message is recorded as sent as
soon as the server accepts its DATA, so a crash or a dropped connection can only double a
message in the moment between that reply and the UPDATE that records it (or when a sender is
paused longer than its lease, LEASE). Such a copy carries the same Message-ID, derived from the
outbox row, so the receiving system can drop it.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
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

    @property
    def attempted(self) -> int:
        return self.sent + self.deferred + self.failed


@dataclass(frozen=True)
class _Prepared:
    row: OutboxMessage
    message: EmailMessage | None
    error: str | None = None


def new_sender_token() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def deliver_outbox(
    sessions: sessionmaker[Session], transport: Transport | None, *, sender: str, now: datetime,
    limit: int = 5000, batch_size: int = BATCH_SIZE,
) -> DeliveryReport:
    """Send due outbox messages: claim a batch, send it on one connection, record each outcome."""
    report = DeliveryReport()
    with sessions.begin() as session:
        report.undelivered = outbox.expire_overdue(session, now=now)
    if transport is None:
        _log_pending(sessions, now)
        return report
    token = new_sender_token()
    while report.attempted < limit and report.paused is None:
        batch = _claim(sessions, token, now, min(batch_size, limit - report.attempted), sender)
        if not batch:
            break
        _send_batch(sessions, transport, batch, token=token, now=now, report=report)
    return report


def _claim(
    sessions: sessionmaker[Session], token: str, now: datetime, limit: int, sender: str
) -> list[_Prepared]:
    with sessions.begin() as session:
        return [_prepare(row, sender)
                for row in outbox.claim_messages(session, token=token, now=now, limit=limit)]


def _prepare(row: OutboxMessage, sender: str) -> _Prepared:
    try:
        return _Prepared(row, build_message(row, sender))
    except (ValueError, TypeError) as exc:  # e.g. a malformed header: this message alone fails
        return _Prepared(row, None, f"Could not build the message: {exc}")


def _send_batch(
    sessions: sessionmaker[Session], transport: Transport, batch: list[_Prepared], *,
    token: str, now: datetime, report: DeliveryReport,
) -> None:
    waiting = [p.row.id for p in batch]
    try:
        with transport.connect() as connection:
            for prepared in batch:
                _send_one(sessions, connection, prepared, now=now, report=report)
                waiting.remove(prepared.row.id)
    except SenderProblem as exc:
        report.paused = str(exc)
        log.warning("Email is not being delivered: %s", exc)
        with sessions.begin() as session:
            pauses.record_pause(session, str(exc), now=now)
            outbox.release(session, waiting, token=token)
    except ConnectionLost as exc:
        with sessions.begin() as session:  # the message in flight may have gone: same id if so
            row = next(p.row for p in batch if p.row.id == waiting[0])
            outbox.mark_temporary_failure(session, row.id, str(exc), now=now, attempts=row.attempts)
            outbox.release(session, waiting[1:], token=token)
        report.deferred += 1


def _send_one(
    sessions: sessionmaker[Session], connection: Connection, prepared: _Prepared, *,
    now: datetime, report: DeliveryReport,
) -> None:
    row = prepared.row
    if prepared.message is None:
        with sessions.begin() as session:
            outbox.mark_failed(session, row.id, prepared.error or "", attempts=row.attempts)
        report.failed += 1
        return
    try:
        connection.send(prepared.message)
    except RecipientRefused as exc:
        with sessions.begin() as session:
            outbox.mark_bounced(session, row, f"Recipient refused: {exc}", now=now)
        report.failed += 1
    except MessageRefused as exc:
        with sessions.begin() as session:
            outbox.mark_failed(session, row.id, f"Message refused: {exc}", attempts=row.attempts)
        report.failed += 1
    except TemporaryFailure as exc:
        with sessions.begin() as session:
            outbox.mark_temporary_failure(session, row.id, str(exc), now=now, attempts=row.attempts)
        report.deferred += 1
    else:
        with sessions.begin() as session:
            outbox.mark_sent(session, row.id, now=now)
            if report.sent == 0:
                pauses.end_pause(session, now=now)
        report.sent += 1


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
    ))
