"""The moderation section of the MESC report: visits against the target, calibration shares.

The figures come from the moderation services (visits.moderation_progress and
calibration.calibration), so the report and the moderation pages always agree: one rule, one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.models import Cycle
from portal.services.moderation import DEFAULT_RATE, Counts, calibration, moderation_progress

TARGET_RATE = DEFAULT_RATE  # the partnership's commitment: visit 10% of providers submitting a return
CALIBRATIONS = ("agreed", "under_scored", "over_inflated")


@dataclass(frozen=True)
class ModerationSummary:
    returned: int
    target: int
    visits_completed: int
    visits_open: int  # planned or scheduled, not yet done
    counts: Counts  # calibration of the findings

    @property
    def recorded(self) -> bool:
        return bool(self.visits_completed or self.visits_open or self.counts.compared)


def moderation_summary(
    session: Session, *, cycle: Cycle, sector_id: int | None, sector: str | None
) -> ModerationSummary:
    """Visits and calibration for the cycle, or for one sector's agencies."""
    progress = moderation_progress(session, cycle, sector_id=sector_id)
    found = calibration(session, cycle)
    counts = found.overall if sector is None else next(
        (row.counts for row in found.by_sector if row.sector == sector), Counts())
    return ModerationSummary(
        returned=progress.submitted, target=progress.target,
        visits_completed=progress.completed, visits_open=progress.planned - progress.completed,
        counts=counts,
    )
