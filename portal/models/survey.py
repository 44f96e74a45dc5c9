"""The practitioner survey: statements (tool data), one link per agency and cycle, responses.

A response holds only the cycle, the agency, the optional bands and the answers: no name, email,
IP address, user agent or time, so that no answer can be traced back to a person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
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


class SurveyLink(Base):
    """The unguessable link an agency gives its staff for one cycle."""

    __tablename__ = "survey_links"
    __table_args__ = (UniqueConstraint("cycle_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyResponse(Base):
    """One practitioner's answers: the cycle, the agency, the optional bands. Nothing else."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role_band: Mapped[str | None] = mapped_column(String(20), default=None)
    service_band: Mapped[str | None] = mapped_column(String(20), default=None)


class SurveyAnswerRow(Base):
    __tablename__ = "survey_answers"
    __table_args__ = (CheckConstraint(check_in("answer", SurveyAnswer), name="answer"),)

    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id"), primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("survey_statements.id"), primary_key=True,
                                              index=True)
    answer: Mapped[str] = mapped_column(String(10))
