"""An account's life after creation: its role changes, and accounts nobody uses any more."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import Session

from portal.models import PartnershipMember, Role, User
from portal.services import audit
from portal.services.common import Invalid, NotFound, Refused, Scope

from ._sessions import end_all_sessions
from ._users import _agency_for, _members, placed

UNUSED_AFTER = timedelta(days=365)  # an active account not signed in to for 12 months


def change_role(session: Session, user: User, *, role: str, agency_name: str | None,
                by_user_id: int) -> None:
    """Give an account another role in the partnership it was placed in (`accounts.get_user`;
    an agency user needs an agency); never your own."""
    if user.id == by_user_id:
        raise Refused("You cannot change your own role")
    if role not in {r.value for r in Role}:
        raise Invalid.at("role", "Select a role")
    agency = _agency_for(session, role, (agency_name or "").strip() or None)
    membership: PartnershipMember | None = user.membership
    if membership is None:
        raise NotFound("No such user")
    before = (membership.role, membership.agency.name if membership.agency else None)
    if before == (role, agency.name if agency else None):
        return
    membership.role, membership.agency = role, agency
    session.flush()
    audit.record(session, action="user.role_changed", entity_type="user", entity_id=user.id,
                 user_id=by_user_id, role_before=before[0], role=role,
                 agency_before=before[1], agency=agency.name if agency else None,
                 partnership_id=membership.partnership_id)


def unused_accounts(session: Session, *, now: datetime, scope: Scope,
                    unused_for: timedelta = UNUSED_AFTER) -> list[User]:
    """The partnership's active accounts whose last sign-in (or, never signed in, creation) is
    older than `unused_for`: the ones its manager reviews, longest unused first, placed in it."""
    last_used = func.coalesce(User.last_sign_in_at, User.created_at)
    return placed(session.execute(
        _members(scope).where(User.active.is_(True), last_used < now - unused_for)
        .order_by(last_used, User.email)).all(), scope)


def set_operator(session: Session, user: User, operator: bool, *, now: datetime) -> None:
    """Make the person the service's operator, or no longer (from the command line only). The
    operator needs a second factor, holds no membership by being one and sees no returns."""
    if user.is_operator == operator:
        return
    user.is_operator = operator
    user.session_generation += 1  # sessions end: the next sign-in asks for the second factor
    end_all_sessions(session, user_id=user.id, now=now)
    audit.record(session, action="user.operator" if operator else "user.not_operator",
                 entity_type="user", entity_id=user.id)
