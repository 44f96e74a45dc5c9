"""The rules with no judgement in them: old email bodies, ended sessions, counters, old events,
contacts of agencies that left."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    AuditEvent,
    Contact,
    OutboxAttachment,
    OutboxMessage,
    Throttle,
    UserSession,
)
from portal.vocabulary import OutboxStatus

from ._policy import RetentionPolicy, days_before, years_before

FINISHED = (OutboxStatus.SENT.value, OutboxStatus.FAILED.value, OutboxStatus.UNDELIVERED.value)
THROTTLE_FORGET_DAYS = 1  # longer than every throttle's window (accounts' FORGET_AFTER)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _old_bodies(policy: RetentionPolicy, now: datetime) -> object:
    done_at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
    return select(OutboxMessage.id).where(
        OutboxMessage.status.in_(FINISHED), done_at < days_before(now, policy.outbox_body_days),
        or_(OutboxMessage.body_text != "", OutboxMessage.body_html.is_not(None)))


def clear_outbox_bodies(session: Session, policy: RetentionPolicy, *, now: datetime) -> int:
    """Empty the bodies (and drop the attachments) of emails finished with long enough ago; the
    envelope (to, subject, kind, when, outcome) stays as the record that an email went."""
    ids = list(session.scalars(_old_bodies(policy, now)))  # type: ignore[call-overload]
    if ids:
        session.execute(delete(OutboxAttachment).where(OutboxAttachment.message_id.in_(ids)))
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                        .values(body_text="", body_html=None))
    return len(ids)


def purge_sessions(session: Session, *, now: datetime) -> int:
    """Sign-in sessions past their absolute lifetime, or ended by sign-out or revocation."""
    return _rowcount(session.execute(delete(UserSession).where(
        or_(UserSession.expires_at < now, UserSession.revoked_at < now))))


def purge_throttles(session: Session, *, now: datetime) -> int:
    """Attempt counters whose window and block have both run out."""
    forget = days_before(now, THROTTLE_FORGET_DAYS)
    return _rowcount(session.execute(delete(Throttle).where(
        Throttle.window_started_at < forget,
        or_(Throttle.blocked_until.is_(None), Throttle.blocked_until < now))))


def remove_left_contacts(session: Session, policy: RetentionPolicy, *, now: datetime) -> int:
    """Contacts of agencies that left (inactive) long enough ago; old emails lose the link."""
    ids = list(session.scalars(select(Contact.id).join(Agency).where(
        Agency.active.is_(False),
        Agency.updated_at < days_before(now, policy.left_agency_contact_days))))
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.contact_id.in_(ids))
                        .values(contact_id=None))
        session.execute(delete(Contact).where(Contact.id.in_(ids)))
    return len(ids)


def delete_old_audit_events(session: Session, policy: RetentionPolicy, *, now: datetime) -> int:
    return _rowcount(session.execute(delete(AuditEvent).where(
        AuditEvent.at < years_before(now, policy.audit_years))))
