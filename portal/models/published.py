"""A cycle's report as published: the JSON of the MESC report, stored at close, in versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.cycle import Cycle
from portal.models.partnership import PartnershipOwned


class PublishedReport(PartnershipOwned, Base):
    """One published version of a closed cycle's report; earlier versions are never changed."""

    __tablename__ = "published_reports"
    __table_args__ = (UniqueConstraint("cycle_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)  # the report's JSON as it was published
    reason: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[str] = mapped_column(Text, default="")  # what changed since the last version
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cycle: Mapped[Cycle] = relationship()


class PublishedFigures(PartnershipOwned, Base):
    """The report data behind one published version, for all sectors ("") or one sector, stored
    losslessly so every format and sector of a closed cycle's report renders as published."""

    __tablename__ = "published_figures"
    __table_args__ = (UniqueConstraint("published_report_id", "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    published_report_id: Mapped[int] = mapped_column(ForeignKey("published_reports.id"),
                                                     index=True)
    sector: Mapped[str] = mapped_column(Text, default="")  # "" for the all-sectors report
    report: Mapped[str] = mapped_column(Text)  # reporting's snapshot_dumps(SectorReport)
