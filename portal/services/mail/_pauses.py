"""Delivery pauses and undelivered mail: what managers are shown, and the retry action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.models import Contact, MailPause, OutboxMessage, OutboxStatus

from ._outbox import RETRY_DAYS


def record_pause(session: Session, reason: str, *, now: datetime) -> None:
    """Delivery is paused by a sender problem: keep the first time and the latest reason."""
    pause = current_pause(session)
    if pause is None:
        session.add(MailPause(reason=reason[:1000], since=now))
    else:
        pause.reason = reason[:1000]
    session.flush()


def end_pause(session: Session, *, now: datetime) -> None:
    """A message went through: delivery works again."""
    session.execute(
        update(MailPause).where(MailPause.ended_at.is_(None)).values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


def current_pause(session: Session) -> MailPause | None:
    """The open pause, if delivery is paused (the earliest, if two senders recorded one)."""
    return session.scalar(
        select(MailPause).where(MailPause.ended_at.is_(None)).order_by(MailPause.since).limit(1)
    )


@dataclass(frozen=True)
class OutboxHealth:
    undelivered: int
    oldest_waiting: datetime | None  # when the oldest message still waiting was queued
    failed: int = 0  # refused for good by the mail server (or could not be built)


def outbox_health(session: Session) -> OutboxHealth:
    """How many messages are undelivered, and how long the oldest waiting one has waited."""
    counts: dict[str, int] = dict(session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id))
        .where(OutboxMessage.status.in_((OutboxStatus.UNDELIVERED.value,
                                         OutboxStatus.FAILED.value)))
        .group_by(OutboxMessage.status)
    ).all())
    oldest = session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(
            (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)))
    )
    return OutboxHealth(undelivered=int(counts.get(OutboxStatus.UNDELIVERED.value, 0)),
                        oldest_waiting=oldest,
                        failed=int(counts.get(OutboxStatus.FAILED.value, 0)))


def retry_undelivered(session: Session, *, now: datetime) -> int:
    """Queue every undelivered message again, with a new retry window; returns how many."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.UNDELIVERED.value)
        .values(status=OutboxStatus.PENDING.value, next_attempt_at=now,
                retry_until=now + timedelta(days=RETRY_DAYS))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def retry_failed(session: Session, *, now: datetime) -> int:
    """Queue every failed message again, and clear the bounce of the contacts it was addressed
    to (for refusals that were the relay's doing); a real refusal marks them again."""
    failed = OutboxMessage.status == OutboxStatus.FAILED.value
    session.execute(
        update(Contact)
        .where(Contact.email.in_(select(OutboxMessage.to_address).where(failed)),
               Contact.bounced_at.is_not(None))
        .values(bounced_at=None, bounce_reason=None)
        .execution_options(synchronize_session=False)
    )
    result = session.execute(
        update(OutboxMessage).where(failed)
        .values(status=OutboxStatus.PENDING.value, next_attempt_at=now,
                retry_until=now + timedelta(days=RETRY_DAYS))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
