"""The cycles a report can be read for, with their headline figures (one GROUP BY query)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.services import cycles


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
    return [CycleSummary(r.label, r.cohort, r.status, r.issued, r.submitted)
            for r in reversed(cycles.cycle_rates(session))]
