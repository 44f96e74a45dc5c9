"""Reminder and chase emails: configurable stages per cycle, one row per stage sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.cycle import Cycle, Return
from portal.models.mail import OutboxMessage
from portal.models.partnership import PartnershipOwned


class ChaserStage(PartnershipOwned, Base):
    """When a chaser goes out: a number of working days from the deadline or final deadline."""

    __tablename__ = "chaser_stages"
    __table_args__ = (UniqueConstraint("cycle_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    anchor: Mapped[str] = mapped_column(String(20))  # "deadline" or "final_deadline"
    offset_working_days: Mapped[int] = mapped_column(Integer)  # negative: before the anchor
    subject_template: Mapped[str] = mapped_column(String(300))
    body_template: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    cycle: Mapped[Cycle] = relationship()


class Chaser(PartnershipOwned, Base):
    """A chaser decided for a return, recorded in the transaction that queues its email.

    The unique (return, stage code) pair is what makes a stage go out at most once, even when
    two chaser runs race; ad-hoc chasers get a unique code of their own.
    """

    __tablename__ = "chasers"
    __table_args__ = (UniqueConstraint("return_id", "stage_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"), index=True)
    stage_code: Mapped[str] = mapped_column(String(60))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("chaser_stages.id"))
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    return_: Mapped[Return] = relationship()
    stage: Mapped[ChaserStage | None] = relationship()
    messages: Mapped[list[OutboxMessage]] = relationship(
        secondary="chaser_messages", viewonly=True
    )


class ChaserMessage(PartnershipOwned, Base):
    """Links a chaser to the outbox messages it queued (one per contact)."""

    __tablename__ = "chaser_messages"

    chaser_id: Mapped[int] = mapped_column(ForeignKey("chasers.id"), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), primary_key=True)
