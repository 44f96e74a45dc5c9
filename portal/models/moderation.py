"""Moderation: a reproducible sample of returns, visits, findings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.cycle import Cycle, Return
from portal.models.partnership import PartnershipOwned
from portal.models.tool import Question, Standard
from portal.models.user import User
from portal.vocabulary import VisitStatus, check_in


class ModerationSample(PartnershipOwned, Base):
    """A draw: seed, population (return ids at cut-off) and chosen return ids, stored to re-derive."""

    __tablename__ = "moderation_samples"
    __table_args__ = (
        # one sample in force per cycle: a double submit cannot make two (SQLite and PostgreSQL)
        Index("uq_moderation_samples_current", "cycle_id", unique=True,
              sqlite_where=text("superseded_at IS NULL"),
              postgresql_where=text("superseded_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    rate: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(Integer)
    exclude_recent_cycles: Mapped[int] = mapped_column(Integer, default=0)
    # The share of the sample chosen for the largest survey corroboration gaps (0: all random),
    # and the return ids so chosen; the rest are drawn at random from the seed.
    targeted: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    targeted_chosen: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    population: Mapped[list[Any]] = mapped_column(JSON)
    chosen: Mapped[list[Any]] = mapped_column(JSON)
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    redraw_reason: Mapped[str | None] = mapped_column(Text, default=None)
    superseded_at: Mapped[datetime | None] = mapped_column(default=None)

    cycle: Mapped[Cycle] = relationship()


class Visit(PartnershipOwned, Base):
    __tablename__ = "visits"
    __table_args__ = (CheckConstraint(check_in("status", VisitStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("moderation_samples.id"), index=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=VisitStatus.PLANNED.value)
    starts_at: Mapped[datetime | None] = mapped_column(default=None)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    place: Mapped[str | None] = mapped_column(String(300), default=None)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    ics_uid: Mapped[str] = mapped_column(String(100), unique=True)
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(Text, default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)

    sample: Mapped[ModerationSample] = relationship()
    return_: Mapped[Return] = relationship()
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])
    member: Mapped[User | None] = relationship(foreign_keys=[member_id])
    findings: Mapped[list[Finding]] = relationship(back_populates="visit")
    slots: Mapped[list[VisitSlot]] = relationship(back_populates="visit",
                                                  order_by="VisitSlot.starts_at")


class VisitSlot(PartnershipOwned, Base):
    """A date and time offered to the agency for its visit; choosing one schedules the visit."""

    __tablename__ = "visit_slots"
    __table_args__ = (UniqueConstraint("visit_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column()  # naive UTC
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    chosen_at: Mapped[datetime | None] = mapped_column(default=None)
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    visit: Mapped[Visit] = relationship(back_populates="slots")


class Finding(PartnershipOwned, Base):
    """A moderated grade beside the self grade, for a standard (or one question)."""

    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("visit_id", "standard_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    self_grade: Mapped[str | None] = mapped_column(String(30), default=None)
    moderated_grade: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    visit: Mapped[Visit] = relationship(back_populates="findings")
    standard: Mapped[Standard] = relationship()
    question: Mapped[Question | None] = relationship()
