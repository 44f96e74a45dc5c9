"""Non-returners after the final deadline, carried into the next cycle."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.cycle import Cycle, Return
from portal.models.organisation import Agency
from portal.models.partnership import PartnershipOwned


class Escalation(PartnershipOwned, Base):
    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("return_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    carried_to_cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id"))
    chair_meeting_required: Mapped[bool] = mapped_column(Boolean, default=False)
    chair_meeting_on: Mapped[date | None] = mapped_column(Date, default=None)
    chair_meeting_outcome: Mapped[str | None] = mapped_column(Text, default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)

    cycle: Mapped[Cycle] = relationship(foreign_keys=[cycle_id])
    carried_to: Mapped[Cycle | None] = relationship(foreign_keys=[carried_to_cycle_id])
    return_: Mapped[Return] = relationship()
    agency: Mapped[Agency] = relationship()

    @property
    def chair_meeting_needed(self) -> bool:
        """Required and not yet held: recording the meeting meets the need everywhere."""
        return self.chair_meeting_required and self.chair_meeting_on is None
