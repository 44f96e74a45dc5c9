"""Moderation calibration: how moderated grades compare with agencies' self grades.

For every finding of a cycle's visits (visits not cancelled, any draw of the cycle):

- agreed: moderated grade == self grade;
- under-scored: moderated grade *better* than the self grade (the agency undersold itself);
- over-inflated: moderated grade *worse* than the self grade;
- not compared: the standard had no self grade (all its answers not applicable or blank).

Counts are made in SQL, grouped by sector and standard. Shares are of the *compared* findings
(agreed + under-scored + over-inflated); not compared findings are counted beside them.

`calibration(session, cycle)` returns a `Calibration`:

    Calibration(
        cycle_label: str,
        rows: list[CalibrationRow],         # one per (sector, standard) with findings,
                                            #   by sector name then standard position
        by_standard: list[CalibrationRow],  # all sectors together (sector=None), by position
        by_sector: list[CalibrationRow],    # all standards together (standard_code=None)
        overall: Counts,                    # every finding of the cycle
    )
    CalibrationRow(sector: str | None, standard_code: str | None, standard_title: str | None,
                   counts: Counts)
    Counts(findings, agreed, under_scored, over_inflated)
        .compared, .not_compared, .agreed_share, .under_scored_share, .over_inflated_share
        (shares are floats in 0..1, or None when nothing was compared)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    Cycle,
    Finding,
    ModerationSample,
    Return,
    Sector,
    Standard,
    Visit,
    VisitStatus,
)
from portal.services.analysis import code_key, count_if
from portal.vocabulary import GRADE_RANK

from ._findings import NOT_LOOKED_AT


@dataclass(frozen=True)
class Counts:
    findings: int = 0
    agreed: int = 0
    under_scored: int = 0
    over_inflated: int = 0

    @property
    def compared(self) -> int:
        return self.agreed + self.under_scored + self.over_inflated

    @property
    def not_compared(self) -> int:
        return self.findings - self.compared

    def share(self, calibration: str) -> float | None:
        """The share of compared findings that are agreed, under_scored or over_inflated."""
        part: int = getattr(self, calibration)
        return part / self.compared if self.compared else None

    @property
    def agreed_share(self) -> float | None:
        return self.share("agreed")

    @property
    def under_scored_share(self) -> float | None:
        return self.share("under_scored")

    @property
    def over_inflated_share(self) -> float | None:
        return self.share("over_inflated")

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.findings + other.findings, self.agreed + other.agreed,
                      self.under_scored + other.under_scored,
                      self.over_inflated + other.over_inflated)


@dataclass(frozen=True)
class CalibrationRow:
    sector: str | None
    standard_code: str | None
    standard_title: str | None
    counts: Counts


@dataclass(frozen=True)
class Calibration:
    cycle_label: str
    rows: list[CalibrationRow]
    by_standard: list[CalibrationRow]
    by_sector: list[CalibrationRow]
    overall: Counts


def _rank(column: Any) -> Any:
    """A grade's rank in SQL (higher is better); NULL for not applicable or no grade."""
    return case({grade.value: rank for grade, rank in GRADE_RANK.items()}, value=column)


def calibration(session: Session, cycle: Cycle) -> Calibration:
    """Agreed / under-scored / over-inflated findings per sector and standard for a cycle."""
    moderated, self_ = _rank(Finding.moderated_grade), _rank(Finding.self_grade)
    both = and_(moderated.is_not(None), self_.is_not(None))
    query = (
        select(Sector.name, Standard.code, Standard.title, func.count(Finding.id),
               count_if(and_(both, moderated == self_)),
               count_if(and_(both, moderated > self_)),
               count_if(and_(both, moderated < self_)))
        .select_from(Finding)
        .join(Visit, Visit.id == Finding.visit_id)
        .join(ModerationSample, ModerationSample.id == Visit.sample_id)
        .join(Return, Return.id == Visit.return_id)
        .join(Agency, Agency.id == Return.agency_id)
        .join(Sector, Sector.id == Agency.sector_id)
        .join(Standard, Standard.id == Finding.standard_id)
        .where(ModerationSample.cycle_id == cycle.id,
               Visit.status != VisitStatus.CANCELLED.value,
               Finding.moderated_grade != NOT_LOOKED_AT)  # not a finding about the standard
        .group_by(Sector.name, Standard.id, Standard.code, Standard.title, Standard.position)
        .order_by(Sector.name, Standard.position)
    )
    rows = [
        CalibrationRow(sector, code, title, Counts(int(n), int(a), int(u), int(o)))
        for sector, code, title, n, a, u, o in session.execute(query)
    ]
    return Calibration(cycle_label=cycle.label, rows=rows, by_standard=_by_standard(rows),
                       by_sector=_by_sector(rows), overall=sum((r.counts for r in rows), Counts()))


def _by_standard(rows: list[CalibrationRow]) -> list[CalibrationRow]:
    totals: dict[tuple[str | None, str | None], Counts] = defaultdict(Counts)
    order: list[tuple[str | None, str | None]] = []
    for row in rows:
        key = (row.standard_code, row.standard_title)
        if key not in totals:
            order.append(key)
        totals[key] = totals[key] + row.counts
    order.sort(key=lambda key: code_key(key[0] or ""))
    return [CalibrationRow(None, code, title, totals[(code, title)]) for code, title in order]


def _by_sector(rows: list[CalibrationRow]) -> list[CalibrationRow]:
    totals: dict[str | None, Counts] = defaultdict(Counts)
    for row in rows:
        totals[row.sector] = totals[row.sector] + row.counts
    return [CalibrationRow(sector, None, None, counts) for sector, counts in totals.items()]
