"""The cycles a report can be read for, with their headline figures (one GROUP BY query)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus, Return, ReturnStatus
from portal.services.weakness import count_if


@dataclass(frozen=True)
class CycleSummary:
    label: str
    cohort: str
    status: str
    issued: int
    returned: int

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.issued if self.issued else None


def report_cycles(session: Session) -> list[CycleSummary]:
    """Every opened cycle, newest first, with issued and returned counts."""
    query = (
        select(Cycle.label, Cycle.cohort, Cycle.status, func.count(Return.id).label("issued"),
               count_if(Return.status == ReturnStatus.SUBMITTED.value).label("returned"))
        .outerjoin(Return, Return.cycle_id == Cycle.id)
        .where(Cycle.status != CycleStatus.DRAFT.value)
        .group_by(Cycle.id, Cycle.label, Cycle.cohort, Cycle.status, Cycle.deadline)
        .order_by(Cycle.deadline.desc())
    )
    return [CycleSummary(r.label, r.cohort, r.status, int(r.issued), int(r.returned))
            for r in session.execute(query)]
