"""An account's life after creation: its role changes, and accounts nobody uses any more."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal.models import Role, User
from portal.services import audit
from portal.services.common import Invalid, Refused

from ._users import _agency_for

UNUSED_AFTER = timedelta(days=365)  # an active account not signed in to for 12 months


def change_role(session: Session, user: User, *, role: str, agency_name: str | None,
                by_user_id: int) -> None:
    """Give an account another role (an agency user needs an agency); never your own."""
    if user.id == by_user_id:
        raise Refused("You cannot change your own role")
    if role not in {r.value for r in Role}:
        raise Invalid.at("role", "Select a role")
    agency = _agency_for(session, role, (agency_name or "").strip() or None)
    before = (user.role, user.agency.name if user.agency else None)
    if before == (role, agency.name if agency else None):
        return
    user.role, user.agency = role, agency
    session.flush()
    audit.record(session, action="user.role_changed", entity_type="user", entity_id=user.id,
                 user_id=by_user_id, role_before=before[0], role=role,
                 agency_before=before[1], agency=agency.name if agency else None)


def unused_accounts(session: Session, *, now: datetime,
                    unused_for: timedelta = UNUSED_AFTER) -> list[User]:
    """Active accounts whose last sign-in (or, never signed in, creation) is older than
    `unused_for`: the ones a manager reviews, longest unused first."""
    last_used = func.coalesce(User.last_sign_in_at, User.created_at)
    return list(session.scalars(
        select(User).options(joinedload(User.agency))
        .where(User.active.is_(True), last_used < now - unused_for)
        .order_by(last_used, User.email)))
