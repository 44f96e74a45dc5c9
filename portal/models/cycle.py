"""Audit cycles and the returns agencies complete in them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.organisation import Agency
from portal.models.partnership import PartnershipOwned
from portal.models.tool import Question, Standard, ToolVersion
from portal.models.user import User
from portal.vocabulary import Cohort, CycleStatus, Grade, ReturnStatus, Variant, check_in


class Cycle(PartnershipOwned, Base):
    __tablename__ = "cycles"
    __table_args__ = (
        CheckConstraint(check_in("cohort", Cohort), name="cohort"),
        CheckConstraint(check_in("status", CycleStatus), name="status"),
        CheckConstraint("final_deadline >= deadline", name="final_after_deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(20), unique=True)
    cohort: Mapped[str] = mapped_column(String(1))
    deadline: Mapped[date] = mapped_column(Date)
    final_deadline: Mapped[date] = mapped_column(Date)
    tool_version_id: Mapped[int] = mapped_column(ForeignKey("tool_versions.id"))
    status: Mapped[str] = mapped_column(String(10), default=CycleStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    tool_version: Mapped[ToolVersion] = relationship()
    returns: Mapped[list[Return]] = relationship(back_populates="cycle")


class Return(PartnershipOwned, Base):
    """One agency's answers in one cycle."""

    __tablename__ = "returns"
    __table_args__ = (
        UniqueConstraint("cycle_id", "agency_id"),
        CheckConstraint(check_in("status", ReturnStatus), name="status"),
        CheckConstraint(check_in("variant", Variant), name="variant"),
        # a cycle's returns counted by status from the index alone (the dashboards' history)
        Index("ix_returns_partnership_cycle_status", "partnership_id", "cycle_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    variant: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default=ReturnStatus.NOT_STARTED.value)
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)
    # Optimistic locking: every save states the version it read and bumps it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime | None] = mapped_column(default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    declaration_name: Mapped[str | None] = mapped_column(String(200), default=None)
    declaration_role: Mapped[str | None] = mapped_column(String(200), default=None)
    reopened_at: Mapped[datetime | None] = mapped_column(default=None)
    reopen_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # A closed cycle's reopened return: when it is submitted again, republish the cycle's figures
    # (True) or keep those published (False), as the manager chose; None otherwise.
    republish_on_resubmit: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # The short tool's one evidence box for the whole return (the full tool has one per standard).
    overall_evidence: Mapped[str | None] = mapped_column(Text, default=None)

    cycle: Mapped[Cycle] = relationship(back_populates="returns")
    agency: Mapped[Agency] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="return_")
    evidence: Mapped[list[Evidence]] = relationship(back_populates="return_")
    actions: Mapped[list[Action]] = relationship(back_populates="return_")

    @property
    def is_submitted(self) -> bool:
        return self.status == ReturnStatus.SUBMITTED.value


class Answer(PartnershipOwned, Base):
    """A grade for one question; a NULL grade means not answered."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("return_id", "question_id"),
        CheckConstraint(f"grade IS NULL OR {check_in('grade', Grade)}", name="grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    grade: Mapped[str | None] = mapped_column(String(30), default=None)
    na_reason: Mapped[str | None] = mapped_column(Text, default=None)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    # The cycle this answer was copied from ("start from my last answers") until the agency
    # changes it or confirms its page's copied answers: it is shown as "copied from 2025-26,
    # check it", and the return cannot be submitted while any answer has one.
    copied_from: Mapped[str | None] = mapped_column(String(20), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    return_: Mapped[Return] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class Evidence(PartnershipOwned, Base):
    """The agency's description of its evidence for one standard."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("return_id", "standard_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"), index=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    return_: Mapped[Return] = relationship(back_populates="evidence")
    standard: Mapped[Standard] = relationship()


class Action(PartnershipOwned, Base):
    """What will be done about a question graded requires improvement or inadequate."""

    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("return_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(200))
    by_when: Mapped[date | None] = mapped_column(Date, default=None)

    return_: Mapped[Return] = relationship(back_populates="actions")
    question: Mapped[Question] = relationship()
