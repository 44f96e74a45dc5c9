"""Save, then send: emails are outbox rows written in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Contact, OutboxAttachment, OutboxMessage, OutboxStatus
from portal.services.common import bulk_insert, insert_returning_ids

MAX_ATTEMPTS = 8
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


def queue_email(
    session: Session,
    email: Email,
    *,
    kind: str,
    now: datetime,
    contact_id: int | None = None,
    return_id: int | None = None,
) -> OutboxMessage:
    """Add a pending message to the outbox (sent once the transaction commits and a sender runs)."""
    message = OutboxMessage(
        kind=kind, to_address=email.to, subject=" ".join(email.subject.split()), body_text=email.text,
        body_html=email.html, created_at=now, next_attempt_at=now, contact_id=contact_id,
        return_id=return_id,
    )
    message.attachments = [
        OutboxAttachment(filename=a.filename, content_type=a.content_type, content=a.content)
        for a in email.attachments
    ]
    session.add(message)
    session.flush()
    session.info["mail_queued"] = True  # the request boundary delivers after commit
    return message


def queue_emails(session: Session, emails: list[tuple[Email, int | None, int | None]], *, kind: str,
                 now: datetime) -> list[int]:
    """queue_email for many (email, contact id, return id) at once, in a few INSERTs; the new
    messages' ids, in order."""
    ids = insert_returning_ids(session, OutboxMessage, (
        {"kind": kind, "to_address": email.to, "subject": " ".join(email.subject.split()),
         "body_text": email.text, "body_html": email.html, "created_at": now,
         "next_attempt_at": now, "contact_id": contact_id, "return_id": return_id}
        for email, contact_id, return_id in emails))
    bulk_insert(session, OutboxAttachment, (
        {"message_id": message_id, "filename": a.filename, "content_type": a.content_type,
         "content": a.content}
        for message_id, (email, _, _) in zip(ids, emails, strict=True) for a in email.attachments))
    if ids:
        session.info["mail_queued"] = True
    return ids


def due_messages(session: Session, *, now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Pending messages due for an attempt, locked so that two senders never take the same one."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING.value)
        .where(OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def mark_sent(message: OutboxMessage, *, now: datetime) -> None:
    message.status = OutboxStatus.SENT.value
    message.attempts += 1
    message.sent_at = now
    message.last_error = None


def mark_temporary_failure(message: OutboxMessage, error: str, *, now: datetime) -> None:
    """Retry later with backoff; give up (failed) after MAX_ATTEMPTS."""
    message.attempts += 1
    message.last_error = error[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED.value
        return
    delay = BACKOFF_MINUTES[min(message.attempts - 1, len(BACKOFF_MINUTES) - 1)]
    message.next_attempt_at = now + timedelta(minutes=delay)


def mark_failed(message: OutboxMessage, error: str) -> None:
    """A message that can never be sent (not the address's fault): stop trying."""
    message.attempts += 1
    message.status = OutboxStatus.FAILED.value
    message.last_error = error[:2000]


def mark_bounced(session: Session, message: OutboxMessage, error: str, *, now: datetime) -> None:
    """A permanent failure: never retried; the address is marked bounced on every contact."""
    message.attempts += 1
    message.status = OutboxStatus.FAILED.value
    message.last_error = error[:2000]
    contacts = session.scalars(
        select(Contact).where(Contact.email == message.to_address, Contact.bounced_at.is_(None))
    )
    for contact in contacts:
        contact.bounced_at = now
        contact.bounce_reason = error[:500]
