"""One agency's grades in a cycle beside its previous submitted return, by question code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Answer, Cycle, Grade, Question, Return, ReturnStatus
from portal.models import Standard as StandardModel
from portal.services.analysis import code_key
from portal.services.common import NotFound
from portal.services.returns import variant_flag

from ._downloads import report_cycle


@dataclass(frozen=True)
class ComparisonRow:
    code: str
    standard: str
    text: str
    grade: str | None  # None: not answered
    previous_grade: str | None
    has_previous: bool  # False when there is no earlier submitted return

    @property
    def movement(self) -> str:
        """better, worse, same, or '' when the two grades cannot be ranked."""
        if not self.grade or not self.previous_grade:
            return ""
        now, before = Grade(self.grade).rank, Grade(self.previous_grade).rank
        if now < 0 or before < 0:
            return ""
        return "better" if now > before else "worse" if now < before else "same"


def grade_label(grade: str | None) -> str:
    return Grade(grade).label if grade else "Not answered"


@dataclass(frozen=True)
class AgencyComparison:
    agency: str
    sector: str
    cycle: str
    status: str
    previous_cycle: str | None
    rows: list[ComparisonRow]


def agency_comparison(session: Session, *, cycle_label: str, agency_id: int) -> AgencyComparison:
    """The agency's return in the cycle beside its most recent earlier submitted return."""
    cycle = report_cycle(session, cycle_label)
    this = session.scalar(
        select(Return).where(Return.cycle_id == cycle.id, Return.agency_id == agency_id))
    if this is None:
        raise NotFound("That agency was not issued a return in this cycle")
    previous = session.execute(
        select(Return.id, Cycle.label).join(Cycle, Cycle.id == Return.cycle_id)
        .where(Return.agency_id == agency_id, Cycle.deadline < cycle.deadline,
               Return.status == ReturnStatus.SUBMITTED.value)
        .order_by(Cycle.deadline.desc()).limit(1)
    ).first()
    ids = [this.id] + ([previous.id] if previous else [])
    grades = _grades(session, ids)
    now, before = grades.get(this.id, {}), grades.get(previous.id, {}) if previous else {}
    rows = [ComparisonRow(q.code, q.standard, q.text, now.get(q.code), before.get(q.code),
                          previous is not None) for q in _questions(session, this, cycle)]
    agency = session.get_one(Agency, agency_id)
    return AgencyComparison(agency.name, agency.sector.name, cycle.label, this.status,
                            previous.label if previous else None, rows)


@dataclass(frozen=True)
class _Question:
    code: str
    standard: str
    text: str


def _questions(session: Session, return_: Return, cycle: Cycle) -> list[_Question]:
    rows = session.execute(
        select(Question.code, StandardModel.title, Question.text)
        .join(StandardModel, StandardModel.id == Question.standard_id)
        .where(Question.tool_version_id == cycle.tool_version_id,
               variant_flag(return_.variant))
    )
    return sorted((_Question(*r) for r in rows), key=lambda q: code_key(q.code))


def _grades(session: Session, return_ids: list[int]) -> dict[int, dict[str, str | None]]:
    """Grades by return and question code (a question present with no grade is not answered)."""
    rows = session.execute(
        select(Answer.return_id, Question.code, Answer.grade)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.return_id.in_(return_ids))
    )
    found: dict[int, dict[str, str | None]] = {}
    for return_id, code, grade in rows:
        found.setdefault(return_id, {})[code] = grade
    return found


def agencies_in_cycle(session: Session, cycle_label: str) -> list[tuple[int, str]]:
    """(id, name) of every agency that returned (submitted) in the cycle, by name."""
    rows = session.execute(
        select(Agency.id, Agency.name).join(Return, Return.agency_id == Agency.id)
        .join(Cycle, Cycle.id == Return.cycle_id)
        .where(Cycle.label == cycle_label, Return.status == ReturnStatus.SUBMITTED.value)
        .order_by(Agency.name)
    )
    return [(r.id, r.name) for r in rows]
