"""The audit tool: immutable versions of standards, questions and grade descriptors."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.vocabulary import Variant


class ToolVersion(Base):
    __tablename__ = "tool_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    published: Mapped[date | None] = mapped_column(default=None)
    checksum: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How a variant groups standards into pages: {"short": [{"title": ..., "standards": [...]}]}
    pages: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)

    standards: Mapped[list[Standard]] = relationship(
        back_populates="tool_version", order_by="Standard.position"
    )


class Standard(Base):
    __tablename__ = "standards"
    __table_args__ = (UniqueConstraint("tool_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_version_id: Mapped[int] = mapped_column(ForeignKey("tool_versions.id"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)
    # The short variant's own words (None: the same words as the full tool).
    short_title: Mapped[str | None] = mapped_column(String(200), default=None)
    short_summary: Mapped[str | None] = mapped_column(Text, default=None)

    tool_version: Mapped[ToolVersion] = relationship(back_populates="standards")
    questions: Mapped[list[Question]] = relationship(
        back_populates="standard", order_by="Question.position"
    )

    def title_for(self, variant: str) -> str:
        return (self.short_title if variant == Variant.SHORT.value else None) or self.title

    def summary_for(self, variant: str) -> str:
        return (self.short_summary if variant == Variant.SHORT.value else None) or self.summary


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("tool_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_version_id: Mapped[int] = mapped_column(ForeignKey("tool_versions.id"), index=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    in_full: Mapped[bool] = mapped_column(Boolean)
    in_schools: Mapped[bool] = mapped_column(Boolean)
    in_short: Mapped[bool] = mapped_column(Boolean)
    short_text: Mapped[str | None] = mapped_column(Text, default=None)

    standard: Mapped[Standard] = relationship(back_populates="questions")
    descriptors: Mapped[list[GradeDescriptor]] = relationship(
        back_populates="question", order_by="GradeDescriptor.position"
    )

    @property
    def variants(self) -> list[str]:
        flags = {Variant.FULL: self.in_full, Variant.SCHOOLS: self.in_schools,
                 Variant.SHORT: self.in_short}
        return [v.value for v, on in flags.items() if on]

    def in_variant(self, variant: str) -> bool:
        return variant in self.variants

    def text_for(self, variant: str) -> str:
        """The question in the variant's own words."""
        return (self.short_text if variant == Variant.SHORT.value else None) or self.text


class GradeDescriptor(Base):
    """What a grade looks like for one question (the "model answer")."""

    __tablename__ = "grade_descriptors"
    __table_args__ = (UniqueConstraint("question_id", "grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    grade: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    short_text: Mapped[str | None] = mapped_column(Text, default=None)

    question: Mapped[Question] = relationship(back_populates="descriptors")

    def text_for(self, variant: str) -> str:
        return (self.short_text if variant == Variant.SHORT.value else None) or self.text
