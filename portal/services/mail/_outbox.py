"""Save, then send: emails are outbox rows written in the caller's transaction.

Senders claim before they send. A claim is a conditional UPDATE that moves due rows from
"pending" (or "sending" with a lease that ran out) to "sending" under the sender's token, so two
senders can never both hold a message: on SQLite there is one writer at a time, and on
PostgreSQL the UPDATE re-checks its condition on a row a concurrent claim committed, while
SKIP LOCKED makes each sender pick other rows instead of waiting.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import Session, selectinload

from portal.models import Contact, OutboxAttachment, OutboxMessage, OutboxStatus
from portal.services.common import bulk_insert, insert_returning_ids

RETRY_DAYS = 7  # a message not delivered in this window is "undelivered", never dropped
BACKOFF_MINUTES = (1, 5, 15, 60)  # then every hour until the window ends
LEASE = timedelta(minutes=5)  # from the claim, renewed while a batch is in hand; a killed
# sender's rows return when it runs out

PENDING = OutboxStatus.PENDING.value
SENDING = OutboxStatus.SENDING.value


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


@dataclass(frozen=True)
class BulkPreview:
    """What a bulk send would queue now, message by message, built by the very code that queues
    them (so the preview is the email that goes), and who would be left out and why."""

    messages: list[Email]
    held: list[tuple[str, str]] = field(default_factory=list)  # (agency, why)

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def digest(self) -> str:
        """A fingerprint of every message: a confirm can prove it sends what was previewed."""
        content = hashlib.sha256()
        for email in self.messages:
            for part in (email.to, email.subject, email.text, email.html or ""):
                content.update(part.encode() + b"\0")
        return content.hexdigest()

    def message(self, index: int) -> Email | None:
        """The message at `index` (0 for the sample), None outside the list."""
        return self.messages[index] if 0 <= index < len(self.messages) else None


def stored_subject(subject: str) -> str:
    """The subject as the outbox stores and sends it: on one line, single-spaced."""
    return " ".join(subject.split())


def as_stored(email: Email) -> Email:
    """An email exactly as queue_email would store it (what a preview must show)."""
    return Email(to=email.to, subject=stored_subject(email.subject), text=email.text,
                 html=email.html, attachments=email.attachments)


def queue_email(
    session: Session,
    email: Email,
    *,
    kind: str,
    now: datetime,
    contact_id: int | None = None,
    return_id: int | None = None,
    partnership_id: int | None = None,
) -> OutboxMessage:
    """Add a pending message to the outbox of `partnership_id` (the first partnership's until
    the callers are scoped: issue 28, step 2); a sender (cron or the worker) delivers it later."""
    message = OutboxMessage(
        kind=kind, to_address=email.to, subject=stored_subject(email.subject), body_text=email.text,
        body_html=email.html, created_at=now, next_attempt_at=now, contact_id=contact_id,
        return_id=return_id, retry_until=now + timedelta(days=RETRY_DAYS),
    )
    message.attachments = [
        OutboxAttachment(filename=a.filename, content_type=a.content_type, content=a.content)
        for a in email.attachments
    ]
    if partnership_id is not None:
        message.partnership_id = partnership_id
        for attachment in message.attachments:
            attachment.partnership_id = partnership_id
    session.add(message)
    session.flush()
    session.info["mail_queued"] = session.info.get("mail_queued", 0) + 1  # for "N emails queued"
    return message


def queue_email_if(session: Session, email: Email, *, send: bool, kind: str,
                   now: datetime) -> None:
    """queue_email, withdrawn again at once unless `send`: the same statements either way (an
    INSERT, and a DELETE that finds the row or none), so the time taken does not tell which.

    For an answer that must not say whether it sent anything (a forgotten password)."""
    message = queue_email(session, email, kind=kind, now=now)
    unless_sent = -message.id if send else message.id  # ids are positive: -id matches no row
    session.execute(delete(OutboxMessage).where(OutboxMessage.id == unless_sent))
    if not send:
        session.expunge(message)
        session.info["mail_queued"] -= 1


@dataclass(frozen=True)
class Queued:
    """One message for queue_emails: the email and what it is about."""

    email: Email
    kind: str
    contact_id: int | None = None
    return_id: int | None = None


def queue_emails(session: Session, messages: list[Queued], *, now: datetime) -> list[int]:
    """queue_email for many messages at once, in a few INSERTs (opening large cycles, chaser
    runs); the new messages' ids, in order."""
    ids = insert_returning_ids(session, OutboxMessage, ({
        "kind": q.kind, "to_address": q.email.to, "subject": stored_subject(q.email.subject),
        "body_text": q.email.text, "body_html": q.email.html, "status": PENDING, "attempts": 0,
        "created_at": now, "next_attempt_at": now, "contact_id": q.contact_id,
        "return_id": q.return_id, "retry_until": now + timedelta(days=RETRY_DAYS),
    } for q in messages))
    bulk_insert(session, OutboxAttachment, (
        {"message_id": message_id, "filename": a.filename, "content_type": a.content_type,
         "content": a.content}
        for message_id, q in zip(ids, messages, strict=True) for a in q.email.attachments))
    session.info["mail_queued"] = session.info.get("mail_queued", 0) + len(ids)
    return ids


def _window_ended(now: datetime) -> ColumnElement[bool]:
    """Rows queued before the retry window existed (retry_until null) count it from creation."""
    return or_(
        and_(OutboxMessage.retry_until.is_not(None), OutboxMessage.retry_until <= now),
        and_(OutboxMessage.retry_until.is_(None),
             OutboxMessage.created_at <= now - timedelta(days=RETRY_DAYS)),
    )


def _window_open(now: datetime) -> ColumnElement[bool]:
    """The negation of _window_ended, written out: NOT over a null comparison is null in SQL."""
    return or_(
        and_(OutboxMessage.retry_until.is_not(None), OutboxMessage.retry_until > now),
        and_(OutboxMessage.retry_until.is_(None),
             OutboxMessage.created_at > now - timedelta(days=RETRY_DAYS)),
    )


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now,
             _window_open(now)),
        and_(OutboxMessage.status == SENDING, OutboxMessage.lease_until <= now),
    )


def claim_messages(
    session: Session, *, token: str, now: datetime, limit: int, lease: timedelta = LEASE
) -> list[OutboxMessage]:
    """Claim up to `limit` due messages for the sender `token` and return them (oldest first)."""
    candidates = (
        select(OutboxMessage.id).where(_claimable(now)).order_by(OutboxMessage.id).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Lock the candidates first, skipping rows another sender is claiming; as a subquery
        # of the UPDATE, PostgreSQL may run a LIMIT ... SKIP LOCKED select more than once.
        ids: Any = list(session.scalars(candidates.with_for_update(skip_locked=True)))
    else:
        # SQLite: one statement, so the transaction starts as a writer (one at a time) and
        # never has to upgrade a read snapshot that another sender has made stale.
        ids = candidates.scalar_subquery()
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), _claimable(now))
        .values(status=SENDING, claimed_by=token, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return list(session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.claimed_by == token, OutboxMessage.status == SENDING)
        .options(selectinload(OutboxMessage.attachments))
        .order_by(OutboxMessage.id)
    ))


def expire_overdue(session: Session, *, now: datetime) -> int:
    """Messages whose retry window ended become "undelivered" (counted on the manager's home)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == PENDING, _window_ended(now))
        .values(status=OutboxStatus.UNDELIVERED.value, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _held(message_id: int, token: str) -> ColumnElement[bool]:
    """The row is still claimed by this sender: its lease did not run out and pass to another."""
    return and_(OutboxMessage.id == message_id, OutboxMessage.claimed_by == token,
                OutboxMessage.status == SENDING)


def _record(session: Session, message_id: int, token: str, **values: Any) -> bool:
    """Record an outcome only if `token` still holds the claim; False if it lost it."""
    result = session.execute(
        update(OutboxMessage).where(_held(message_id, token))
        .values(claimed_by=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def renew(session: Session, message_ids: list[int], *, token: str, now: datetime,
          lease: timedelta = LEASE) -> set[int]:
    """Extend this sender's claim on messages still in hand; the ids it still holds."""
    if not message_ids:
        return set()
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == token,
               OutboxMessage.status == SENDING)
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return set(session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == token,
        OutboxMessage.status == SENDING)))


def mark_sent(session: Session, message_id: int, *, token: str, now: datetime) -> bool:
    """The server accepted DATA: recorded at once, before QUIT, whatever happens next."""
    return _record(session, message_id, token, status=OutboxStatus.SENT.value,
                   attempts=OutboxMessage.attempts + 1, sent_at=now, last_error=None)


def release(session: Session, message_ids: list[int], *, token: str) -> None:
    """Give claimed messages back untouched (the sender stopped before trying them)."""
    if message_ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == token,
                   OutboxMessage.status == SENDING)
            .values(status=PENDING, claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )


def mark_temporary_failure(
    session: Session, message_id: int, error: str, *, token: str, now: datetime, attempts: int
) -> bool:
    """Try again later with capped backoff, until the retry window ends."""
    delay = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES) - 1)]
    return _record(session, message_id, token, status=PENDING, attempts=attempts + 1,
                   last_error=error[:2000], next_attempt_at=now + timedelta(minutes=delay))


def mark_failed(session: Session, message_id: int, error: str, *, token: str,
                attempts: int) -> bool:
    """A message refused for good (not a sender problem): stop trying, keep it visible."""
    return _record(session, message_id, token, status=OutboxStatus.FAILED.value,
                   attempts=attempts + 1, last_error=error[:2000])


def mark_bounced(
    session: Session, message: OutboxMessage, error: str, *, token: str, now: datetime
) -> bool:
    """The server refused the recipient for good (5xx at RCPT): the address is marked bounced."""
    if not mark_failed(session, message.id, error, token=token, attempts=message.attempts):
        return False
    session.execute(
        update(Contact)
        .where(Contact.email == message.to_address, Contact.bounced_at.is_(None))
        .values(bounced_at=now, bounce_reason=error[:500])
        .execution_options(synchronize_session=False)
    )
    return True


def due_messages(session: Session, *, now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Pending messages due for an attempt (read only: for logging when no server is set)."""
    return list(session.scalars(
        select(OutboxMessage).where(_claimable(now)).order_by(OutboxMessage.id).limit(limit)
    ))
