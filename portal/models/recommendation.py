"""Recommendations a cycle ended in, and the dated updates that record their progress."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.cycle import Cycle
from portal.models.partnership import PartnershipOwned
from portal.vocabulary import OwnerKind, RecommendationStatus, check_in


class Recommendation(PartnershipOwned, Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint(check_in("status", RecommendationStatus), name="status"),
        CheckConstraint(check_in("owner_kind", OwnerKind), name="owner_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    standards: Mapped[str] = mapped_column(String(200), default="")  # codes, like "6, 11"
    owner_kind: Mapped[str] = mapped_column(String(12))
    owner_name: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=RecommendationStatus.OPEN.value)
    dropped_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cycle: Mapped[Cycle] = relationship()
    updates: Mapped[list[RecommendationUpdate]] = relationship(
        back_populates="recommendation", order_by="RecommendationUpdate.id"
    )

    @property
    def standard_codes(self) -> list[str]:
        return [c.strip() for c in self.standards.split(",") if c.strip()]


class RecommendationUpdate(PartnershipOwned, Base):
    """A dated note on a recommendation, with the status it left it in."""

    __tablename__ = "recommendation_updates"
    __table_args__ = (CheckConstraint(check_in("status", RecommendationStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recommendation: Mapped[Recommendation] = relationship(back_populates="updates")
