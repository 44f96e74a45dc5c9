"""Delivering the outbox over SMTP (or to the log when no MAIL_SERVER is set)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from portal.models import OutboxMessage

from . import _outbox as outbox

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): do not retry."""


class TemporaryFailure(Exception):
    """The message could not be delivered now (connection refused, 4xx): retry later."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int = 25
    use_tls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: int = 10


class SmtpTransport:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            with smtplib.SMTP(s.server, s.port, timeout=s.timeout) as smtp:
                if s.use_tls:
                    smtp.starttls()
                if s.username:
                    smtp.login(s.username, s.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise _failure(min(codes), str(exc.recipients)) from exc
        except smtplib.SMTPResponseException as exc:
            raise _failure(exc.smtp_code, f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


def _failure(code: int, detail: str) -> Exception:
    return PermanentFailure(detail) if code >= 500 else TemporaryFailure(detail)


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(idstring=f"outbox{row.id}")
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


def deliver_outbox(
    sessions: sessionmaker[Session], transport: Transport | None, *, sender: str, now: datetime,
    limit: int = 500,
) -> DeliveryReport:
    """Send due outbox messages, one transaction per message so each outcome is recorded."""
    report = DeliveryReport()
    if transport is None:
        _log_pending(sessions, now)
        return report
    for _ in range(limit):
        with sessions() as session, session.begin():
            batch = outbox.due_messages(session, now=now, limit=1)
            if not batch:
                break
            _deliver_one(session, batch[0], transport, sender, now, report)
    return report


def _log_pending(sessions: sessionmaker[Session], now: datetime) -> None:
    with sessions() as session:
        for row in outbox.due_messages(session, now=now, limit=50):
            log.info("No MAIL_SERVER: email %s to %s stays in the outbox: %s",
                     row.id, row.to_address, row.subject)


def _deliver_one(
    session: Session, row: OutboxMessage, transport: Transport, sender: str, now: datetime,
    report: DeliveryReport,
) -> None:
    try:
        message = build_message(row, sender)
    except (ValueError, TypeError) as exc:  # e.g. a malformed header: this message alone fails
        outbox.mark_failed(row, f"Could not build the message: {exc}")
        report.failed += 1
        return
    try:
        transport.send(message)
    except PermanentFailure as exc:
        outbox.mark_bounced(session, row, str(exc), now=now)
        report.failed += 1
    except TemporaryFailure as exc:
        outbox.mark_temporary_failure(row, str(exc), now=now)
        report.deferred += 1
    else:
        outbox.mark_sent(row, now=now)
        report.sent += 1


def transport_for(config: Mapping[str, Any]) -> Transport | None:
    """SMTP when MAIL_SERVER is set; None in development, where mail stays in the outbox."""
    if not config.get("MAIL_SERVER"):
        return None
    return SmtpTransport(SmtpSettings(
        server=config["MAIL_SERVER"], port=int(config["MAIL_PORT"]),
        use_tls=bool(config["MAIL_USE_TLS"]), username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"), timeout=int(config.get("MAIL_TIMEOUT", 10)),
    ))
