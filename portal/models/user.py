"""People who sign in.

A person's role and agency belong to their membership of a partnership (`PartnershipMember`),
not to the person. `user.role`, `user.agency_id` and `user.agency` keep the meaning the views
and templates give them: the role and agency in the partnership the user was *placed* in
(`place`), which is how the services that load people hand them out:
- the user loader places the signed-in user in the request's partnership, loading the membership
  in the same query as the session (`accounts.session_user(..., scope=)`); no membership there
  reads as no role (`role == ""`), so every role-protected page refuses them;
- services that list or fetch people for a partnership (`accounts.list_users(..., scope=)`,
  `accounts.get_user(..., scope=)`, `accounts.place_in(user, scope=)`) place each one they
  return, with one joined query; services that pick people by role ask `accounts.with_role`
  in a named partnership;
- a user nobody placed (read by id in a service that does not take a scope yet) is read in the
  installation's first partnership: the same bridge as `PartnershipOwned`'s server default,
  until step 2 of the design scopes every service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.organisation import Agency
from portal.models.partnership import FIRST_PARTNERSHIP_ID, PartnershipOwned
from portal.vocabulary import Role, check_in

NO_ROLE = ""  # the role of a user with no membership in the partnership they were placed in


class PartnershipMember(PartnershipOwned, Base):
    """A person's place in one partnership: their role there and, for an agency user, their
    agency. One a person and partnership; `User.role` and `User.agency` read the membership of
    the partnership the user was loaded for (docs/architecture.md, "People")."""

    __tablename__ = "partnership_members"
    __table_args__ = (
        UniqueConstraint("user_id", "partnership_id", name="uq_partnership_members_user_id"),
        CheckConstraint(check_in("role", Role), name="role"),
        CheckConstraint("(role = 'agency') = (agency_id IS NOT NULL)",
                        name="agency_members_have_agency"),
        # a partnership's people by role (its managers, its moderators)
        Index("ix_partnership_members_partnership_id", "partnership_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency | None] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PartnershipMember user {self.user_id} of {self.partnership_id}: {self.role}>"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # Sign-in and issuing a cycle look people up by address whatever its case.
        Index("ix_users_email_lower", func.lower(text("email")), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped when the password changes: signs out other sessions and spends set-password links.
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)
    # runs the service: manages partnerships and their first managers; no membership, no returns
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    memberships: Mapped[list[PartnershipMember]] = relationship(
        order_by=PartnershipMember.partnership_id, viewonly=True)

    # --- the partnership this user object was placed in (not a column; see the module's note)
    def place(self, partnership_id: int, membership: PartnershipMember | None) -> User:
        """Read this user's role and agency in `partnership_id`: `membership` is theirs there,
        or None when they have none. Returns the user."""
        if membership is not None and (membership.user_id not in (None, self.id)
                                       or membership.partnership_id != partnership_id):
            raise ValueError(f"{membership!r} is not {self.email}'s in partnership {partnership_id}")
        self.__dict__["_placed"] = (partnership_id, membership)
        return self

    @property
    def placed_in(self) -> int:
        """The partnership whose role `role` reads."""
        placed = self.__dict__.get("_placed")
        return placed[0] if placed else FIRST_PARTNERSHIP_ID

    @property
    def placed_membership(self) -> PartnershipMember | None:
        """The membership `place` gave, never a query (None when not placed or none there)."""
        placed = self.__dict__.get("_placed")
        return placed[1] if placed else None

    @property
    def membership(self) -> PartnershipMember | None:
        placed = self.__dict__.get("_placed")
        if placed is None:  # the bridge: the first partnership's (one query, this user's rows)
            return next((m for m in self.memberships
                         if m.partnership_id == FIRST_PARTNERSHIP_ID), None)
        membership: PartnershipMember | None = placed[1]
        return membership

    @property
    def role(self) -> str:
        membership = self.membership
        return membership.role if membership is not None else NO_ROLE

    @property
    def agency_id(self) -> int | None:
        membership = self.membership
        return membership.agency_id if membership is not None else None

    @property
    def agency(self) -> Agency | None:
        membership = self.membership
        return membership.agency if membership is not None else None

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:
        return f"<User {self.email}>"
