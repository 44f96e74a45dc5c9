"""The practitioner survey: statements (tool data), one link per agency and cycle, responses.

A response holds only the cycle, the agency, the optional bands and the answers: no name, email,
IP address, user agent or time, so that no answer can be traced back to a person.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.partnership import PartnershipOwned
from portal.models.tool import Question
from portal.vocabulary import SurveyAnswer, check_in


class SurveyStatement(Base):
    """A statement practitioners agree or disagree with, mapped to the questions it corroborates."""

    __tablename__ = "survey_statements"
    __table_args__ = (UniqueConstraint("tool_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_version_id: Mapped[int] = mapped_column(ForeignKey("tool_versions.id"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    questions: Mapped[list[Question]] = relationship(secondary="survey_statement_questions",
                                                     order_by="Question.id")


class SurveyStatementQuestion(Base):
    __tablename__ = "survey_statement_questions"

    statement_id: Mapped[int] = mapped_column(ForeignKey("survey_statements.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True,
                                             index=True)


class SurveyLink(PartnershipOwned, Base):
    """The unguessable link an agency gives its staff for one cycle."""

    __tablename__ = "survey_links"
    __table_args__ = (UniqueConstraint("cycle_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the staff headcount the agency declared when it printed the poster: the most responses
    # the link accepts (a manager can raise it); None until declared, then the default cap holds
    headcount: Mapped[int | None] = mapped_column(Integer, default=None)
    taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # responses so far
    # a short code to type from the poster (/s/K7MQ-4TXP), made when the poster is first printed
    short_code: Mapped[str | None] = mapped_column(String(12), unique=True, default=None)


class SurveyResponse(PartnershipOwned, Base):
    """One practitioner's answers: the cycle, the agency, the optional bands, the day. Nothing else.

    The id is random (never in the order of answering), the day is the finest time kept, and
    `flag` marks a response that came in a burst; a manager can set a flagged batch aside.
    """

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role_band: Mapped[str | None] = mapped_column(String(20), default=None)
    service_band: Mapped[str | None] = mapped_column(String(20), default=None)
    answered_on: Mapped[date | None] = mapped_column(default=None)
    flag: Mapped[str | None] = mapped_column(String(40), default=None)
    set_aside: Mapped[str | None] = mapped_column(String(500), default=None)  # the reason


class SurveyAnswerRow(PartnershipOwned, Base):
    __tablename__ = "survey_answers"
    __table_args__ = (CheckConstraint(check_in("answer", SurveyAnswer), name="answer"),)

    response_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("survey_responses.id"),
                                             primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("survey_statements.id"), primary_key=True,
                                              index=True)
    answer: Mapped[str] = mapped_column(String(10))
