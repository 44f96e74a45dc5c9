"""Information requests: a short form sent to agencies (like the Chair's letters), and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.organisation import Agency, Sector
from portal.models.partnership import PartnershipOwned
from portal.models.recommendation import Recommendation
from portal.vocabulary import RequestAudience, RequestQuestionKind, check_in


class InformationRequest(PartnershipOwned, Base):
    __tablename__ = "information_requests"
    __table_args__ = (CheckConstraint(check_in("audience", RequestAudience), name="audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    signatory: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[date] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(10))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id"))
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendations.id"),
                                                          index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sector: Mapped[Sector | None] = relationship()
    recommendation: Mapped[Recommendation | None] = relationship()
    questions: Mapped[list[RequestQuestion]] = relationship(
        back_populates="request", order_by="RequestQuestion.position"
    )
    recipients: Mapped[list[RequestRecipient]] = relationship(back_populates="request")


class RequestQuestion(PartnershipOwned, Base):
    __tablename__ = "request_questions"
    __table_args__ = (
        UniqueConstraint("request_id", "position"),
        CheckConstraint(check_in("kind", RequestQuestionKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("information_requests.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[Any]] = mapped_column(JSON, default=list)

    request: Mapped[InformationRequest] = relationship(back_populates="questions")


class RequestRecipient(PartnershipOwned, Base):
    """One agency a request went to; answered once it has answered every question."""

    __tablename__ = "request_recipients"
    __table_args__ = (UniqueConstraint("request_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("information_requests.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    request: Mapped[InformationRequest] = relationship(back_populates="recipients")
    agency: Mapped[Agency] = relationship()
    answers: Mapped[list[RequestAnswer]] = relationship(back_populates="recipient")


class RequestAnswer(PartnershipOwned, Base):
    __tablename__ = "request_answers"
    __table_args__ = (UniqueConstraint("recipient_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("request_recipients.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("request_questions.id"), index=True)
    value: Mapped[str] = mapped_column(Text)

    recipient: Mapped[RequestRecipient] = relationship(back_populates="answers")
    question: Mapped[RequestQuestion] = relationship()


class RequestReminder(PartnershipOwned, Base):
    """A reminder decided for one recipient at one stage, recorded with its emails.

    Unique per (recipient, stage code): a stage goes out at most once, even when runs race.
    """

    __tablename__ = "request_reminders"
    __table_args__ = (UniqueConstraint("recipient_id", "stage_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("request_recipients.id"), index=True)
    stage_code: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
