"""A partnership's people by role: every query that picks users by role or agency goes through
their memberships, in one named partnership."""

from __future__ import annotations

from sqlalchemy import Select, exists, select

from portal.models import PartnershipMember, Role, User


def with_role(role: Role, *, partnership_id: int) -> Select[User]:
    """The active users with `role` in the partnership: a select to order or narrow."""
    return (select(User)
            .join(PartnershipMember, PartnershipMember.user_id == User.id)
            .where(PartnershipMember.partnership_id == partnership_id,
                   PartnershipMember.role == role.value, User.active.is_(True)))


def has_role(user_id: int | None, role: Role, *, partnership_id: int) -> Select[tuple[bool]]:
    """Whether the user is active with `role` in the partnership (one EXISTS)."""
    return select(exists(with_role(role, partnership_id=partnership_id)
                         .where(User.id == user_id)))
