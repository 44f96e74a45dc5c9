"""The cycles a report can be read for, with their headline figures and the version last
published (two grouped queries, whatever the number of cycles)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Cycle, PublishedReport
from portal.services import cycles


@dataclass(frozen=True)
class CycleSummary:
    label: str
    cohort: str
    status: str
    issued: int
    returned: int
    published_version: int | None = None  # the latest published version of its report
    published_at: datetime | None = None

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.issued if self.issued else None


def report_cycles(session: Session) -> list[CycleSummary]:
    """Every opened cycle, newest first, with issued and returned counts and, once its report
    has been published, the latest version and when it was published."""
    published = _latest_published(session)
    return [CycleSummary(r.label, r.cohort, r.status, r.issued, r.submitted,
                         *published.get(r.label, (None, None)))
            for r in reversed(cycles.cycle_rates(session))]


def _latest_published(session: Session) -> dict[str, tuple[int, datetime]]:
    """Each published cycle's label: its latest version's number and time."""
    latest = (select(PublishedReport.cycle_id, func.max(PublishedReport.version).label("version"))
              .group_by(PublishedReport.cycle_id).subquery())
    rows = session.execute(
        select(Cycle.label, PublishedReport.version, PublishedReport.published_at)
        .join(latest, latest.c.cycle_id == Cycle.id)
        .join(PublishedReport, (PublishedReport.cycle_id == Cycle.id)
              & (PublishedReport.version == latest.c.version)))
    return {label: (version, at) for label, version, at in rows}
