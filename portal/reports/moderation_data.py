"""The moderation section of the MESC report: visits against the target, calibration shares.

Computed from the moderation tables directly (two GROUP BY queries), so the section works whatever
pages the moderation feature offers. Calibration (DESIGN.md section 4): a finding whose moderated
grade ranks above the self grade is under-scored, below it over-inflated, equal agreed (Grade.rank:
higher is better). Findings with no self grade, or N/A on either side, cannot be compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.models import Agency, Finding, ModerationSample, Return, Visit, VisitStatus
from portal.models.enums import QUALITY_GRADES

TARGET_RATE = 0.10  # the partnership's commitment: visit 10% of providers submitting a return
CALIBRATIONS = ("agreed", "under_scored", "over_inflated")
CALIBRATION_LABELS = {"agreed": "Agreed", "under_scored": "Under-scored (moderated grade better)",
                      "over_inflated": "Over-inflated (moderated grade worse)"}


@dataclass(frozen=True)
class ModerationSummary:
    returned: int
    target: int
    visits_completed: int
    visits_open: int  # planned or scheduled, not yet done
    agreed: int
    under_scored: int
    over_inflated: int

    @property
    def compared(self) -> int:
        return self.agreed + self.under_scored + self.over_inflated

    @property
    def recorded(self) -> bool:
        return bool(self.visits_completed or self.visits_open or self.compared)

    def share(self, calibration: str) -> float | None:
        count: int = getattr(self, calibration)
        return count / self.compared if self.compared else None


def visit_target(returned: int, rate: float = TARGET_RATE) -> int:
    """ceil(rate x submitted returns), at least one when anything was returned."""
    return max(1, math.ceil(rate * returned)) if returned else 0


def moderation_summary(
    session: Session, *, cycle_id: int, sector_id: int | None, returned: int
) -> ModerationSummary:
    visits = _visit_counts(session, cycle_id=cycle_id, sector_id=sector_id)
    calibration = _calibration_counts(session, cycle_id=cycle_id, sector_id=sector_id)
    open_statuses = (VisitStatus.PLANNED.value, VisitStatus.SCHEDULED.value)
    return ModerationSummary(
        returned=returned, target=visit_target(returned),
        visits_completed=visits.get(VisitStatus.COMPLETED.value, 0),
        visits_open=sum(visits.get(s, 0) for s in open_statuses),
        **{c: calibration.get(c, 0) for c in CALIBRATIONS},
    )


def _visit_counts(session: Session, *, cycle_id: int, sector_id: int | None) -> dict[str, int]:
    query = (
        select(Visit.status, func.count(Visit.id))
        .join(ModerationSample, ModerationSample.id == Visit.sample_id)
        .join(Return, Return.id == Visit.return_id)
        .join(Agency, Agency.id == Return.agency_id)
        .where(ModerationSample.cycle_id == cycle_id)
        .group_by(Visit.status)
    )
    if sector_id is not None:
        query = query.where(Agency.sector_id == sector_id)
    return {status: int(n) for status, n in session.execute(query)}


def _calibration_counts(
    session: Session, *, cycle_id: int, sector_id: int | None
) -> dict[str, int]:
    ranks = {g.value: g.rank for g in QUALITY_GRADES}
    moderated = case(ranks, value=Finding.moderated_grade, else_=None)
    self_rank = case(ranks, value=Finding.self_grade, else_=None)
    classified = (
        select(case((moderated == self_rank, "agreed"),
                    (moderated > self_rank, "under_scored"),
                    (moderated < self_rank, "over_inflated"), else_=None).label("calibration"))
        .join(Visit, Visit.id == Finding.visit_id)
        .join(ModerationSample, ModerationSample.id == Visit.sample_id)
        .join(Return, Return.id == Visit.return_id)
        .join(Agency, Agency.id == Return.agency_id)
        .where(ModerationSample.cycle_id == cycle_id,
               Visit.status != VisitStatus.CANCELLED.value)
    )
    if sector_id is not None:
        classified = classified.where(Agency.sector_id == sector_id)
    inner = classified.subquery()
    # Grouping on a subquery column: PostgreSQL rejects GROUP BY on a CASE with bound parameters.
    query = (select(inner.c.calibration, func.count()).where(inner.c.calibration.is_not(None))
             .group_by(inner.c.calibration))
    return {name: int(n) for name, n in session.execute(query)}
