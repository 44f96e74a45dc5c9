"""People the benchmarks add: a user and their membership of the installation's partnership
(roles belong to memberships, issue 28)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.models import PartnershipMember, User
from portal.models.partnership import FIRST_PARTNERSHIP_ID


def add_person(session: Session, email: str, role: str, *, password_hash: str | None,
               name: str = "", agency_id: int | None = None) -> User:
    """A new user with a membership of the first partnership, added to the session."""
    user = User(email=email, name=name, password_hash=password_hash)
    session.add(user)
    session.add(PartnershipMember(user=user, partnership_id=FIRST_PARTNERSHIP_ID, role=role,
                                  agency_id=agency_id))
    return user
