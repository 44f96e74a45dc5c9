"""Sectors, agencies and their contacts."""

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
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.vocabulary import Cohort, Variant, check_in

DEFAULT_SECTORS = (
    "Statutory",
    "Health",
    "GP practices",
    "Schools and colleges",
    "Early years",
    "Voluntary and community",
    "Sports and culture",
    "Faith groups",
    "Commercial",
)
# The tool variant a new agency gets by sector (every other sector: full).
DEFAULT_SECTOR_VARIANTS = {"Schools and colleges": "schools", "Voluntary and community": "short"}


class Sector(Base):
    __tablename__ = "sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The tool variant a new agency in this sector gets unless the manager chooses another.
    default_variant: Mapped[str] = mapped_column(String(10), default=Variant.FULL.value)

    def __repr__(self) -> str:
        return f"<Sector {self.name}>"


class Agency(Base):
    __tablename__ = "agencies"
    __table_args__ = (
        CheckConstraint(check_in("cohort", Cohort), name="cohort"),
        CheckConstraint(check_in("variant", Variant), name="variant"),
        # Names are unique whatever their case; adding and importing look them up that way.
        Index("ix_agencies_name_lower", func.lower(text("name")), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"), index=True)
    cohort: Mapped[str] = mapped_column(String(1))
    variant: Mapped[str] = mapped_column(String(10), default=Variant.FULL.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sector: Mapped[Sector] = relationship(lazy="joined")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="agency", order_by="Contact.id", cascade="all, delete-orphan"
    )

    @property
    def working_contacts(self) -> list[Contact]:
        """Contacts whose address has not hard-bounced: the only ones the portal emails."""
        return [c for c in self.contacts if c.bounced_at is None]

    @property
    def primary_contact(self) -> Contact | None:
        primary = [c for c in self.contacts if c.is_primary] or self.contacts
        return primary[0] if primary else None

    def __repr__(self) -> str:
        return f"<Agency {self.name}>"


class Contact(Base):
    """Somebody at an agency who receives the audit's emails."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("agency_id", "email"),
        # the few bounced addresses, found without reading every contact (a cycle's dashboard)
        Index("ix_contacts_bounced", "agency_id", postgresql_where=text("bounced_at IS NOT NULL"),
              sqlite_where=text("bounced_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True)
    bounced_at: Mapped[datetime | None] = mapped_column(default=None)
    bounce_reason: Mapped[str | None] = mapped_column(String(500), default=None)

    agency: Mapped[Agency] = relationship(back_populates="contacts")
