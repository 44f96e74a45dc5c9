"""Accounts nobody uses: disabled after a while, anonymised a year later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, exists, func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, LinkedIdentity, Passkey, PasskeyChallenge, User, UserSession
from portal.services import audit

from ._policy import ERASED_DOMAIN, RetentionPolicy, days_before

# the events that mark an account as disabled, and when
DISABLING_ACTIONS = ("user.deactivated", "retention.user_disabled")


def _last_used() -> ColumnElement[datetime]:
    return func.coalesce(User.last_sign_in_at, User.created_at)


def disable_unused(session: Session, policy: RetentionPolicy, *, now: datetime) -> list[int]:
    """Disable active accounts unused for `disable_after_days`; their ids."""
    ids = list(session.scalars(select(User.id).where(
        User.active.is_(True), _last_used() < days_before(now, policy.disable_after_days))))
    for user in session.scalars(select(User).where(User.id.in_(ids))):
        user.active = False
        user.session_generation += 1
        event = audit.record(session, action="retention.user_disabled", entity_type="user",
                             entity_id=user.id, unused_days=policy.disable_after_days)
        event.at = now  # when it was disabled, which the erasure rule counts from
    return ids


def erasable_accounts(session: Session, policy: RetentionPolicy, *, now: datetime) -> list[User]:
    """Disabled accounts unused for the whole period, not disabled in the last year, not erased."""
    recent = days_before(now, policy.erase_after_disabled_days)
    disabled_lately = exists().where(
        AuditEvent.entity_type == "user", AuditEvent.entity_id == User.id,
        AuditEvent.action.in_(DISABLING_ACTIONS), AuditEvent.at > recent)
    unused = days_before(now, policy.disable_after_days + policy.erase_after_disabled_days)
    return list(session.scalars(select(User).where(
        User.active.is_(False), _last_used() < unused, ~disabled_lately,
        ~User.email.endswith(f"@{ERASED_DOMAIN}")).order_by(User.id)))


def anonymise(session: Session, user: User) -> None:
    """Keep the row (returns, reports and the audit log point at it), drop what names the person:
    address, name, password, passkeys, sessions and identities linked at identity providers;
    the address is also taken out of its audit events."""
    old = user.email.lower()
    user.email = f"erased-{user.id}@{ERASED_DOMAIN}"
    user.name, user.password_hash, user.active = "", None, False
    user.session_generation += 1
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.execute(delete(LinkedIdentity).where(LinkedIdentity.user_id == user.id))
    session.execute(delete(Passkey).where(Passkey.user_id == user.id))
    session.execute(delete(PasskeyChallenge).where(PasskeyChallenge.user_id == user.id))
    for event in session.scalars(select(AuditEvent).where(and_(
            AuditEvent.detail.is_not(None),
            (AuditEvent.user_id == user.id) | ((AuditEvent.entity_type == "user")
                                               & (AuditEvent.entity_id == user.id))))):
        if str(event.detail.get("email", "")).lower() == old:
            event.detail = {**event.detail, "email": user.email}
    session.flush()
