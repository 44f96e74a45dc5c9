"""The outbox: every email the portal sends, written before it is sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.partnership import PartnershipOwned
from portal.vocabulary import OutboxStatus, check_in


class OutboxMessage(PartnershipOwned, Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(check_in("status", OutboxStatus), name="status"),
        # the senders' claim query: due pending rows, and claims whose lease ran out
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING.value, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    retry_until: Mapped[datetime | None] = mapped_column(default=None)  # then "undelivered"
    lease_until: Mapped[datetime | None] = mapped_column(default=None)  # a claim ends then
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"), index=True)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan"
    )


class OutboxAttachment(PartnershipOwned, Base):
    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")


class MailPause(Base):
    """Delivery stopped by a sender-level problem (connection, authentication, MAIL FROM refused).

    Open while ended_at is null; managers see a banner until a message goes through again.
    """

    __tablename__ = "mail_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
