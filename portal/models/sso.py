"""Single sign-on: the identity providers (OpenID Connect) the portal trusts, and the identities
they assert that are linked to portal accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.organisation import Agency
from portal.models.user import User


class IdentityProvider(Base):
    """An OpenID Connect provider (Entra ID and the like), added by `flask sso add`. An
    organisation's provider signs in only that agency's users; a partnership-wide one (no
    organisation) anyone's."""

    __tablename__ = "identity_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(500))  # the issuer, or its discovery URL
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str] = mapped_column(String(500))
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency | None] = relationship()
    domains: Mapped[list[IdentityProviderDomain]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="IdentityProviderDomain.domain")

    @property
    def domain_names(self) -> list[str]:
        return [d.domain for d in self.domains]


class IdentityProviderDomain(Base):
    """An email domain a provider serves: one provider a domain, so the choice is never ambiguous."""

    __tablename__ = "identity_provider_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("identity_providers.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)  # lower case

    provider: Mapped[IdentityProvider] = relationship(back_populates="domains")


class LinkedIdentity(Base):
    """A provider's subject (`sub`) linked to a portal account, at the first sign-in, by verified
    email; later sign-ins find the account by subject."""

    __tablename__ = "linked_identities"
    __table_args__ = (
        UniqueConstraint("provider_id", "subject"),
        UniqueConstraint("provider_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("identity_providers.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)

    provider: Mapped[IdentityProvider] = relationship()
    user: Mapped[User] = relationship()
