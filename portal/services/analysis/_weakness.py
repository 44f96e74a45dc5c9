"""The counting rule of the MESC report (DESIGN.md section 4, "Weakest standards"), in SQL.

For every SUBMITTED return of a cycle and every question in that return's tool variant, the
answer (if any) is classed as graded (outstanding, good, requires improvement, inadequate), of which
weak (requires improvement or inadequate); not applicable; or not answered (no answer row, or a
NULL grade: imported historic returns hold blanks). Weakness = weak / graded; N/A and not answered
are reported beside it, never in the denominator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from portal.models import Agency, Answer, Cycle, Grade, Question, Return, ReturnStatus
from portal.services.returns import in_variant
from portal.vocabulary import QUALITY_GRADES

QUALITY = [g.value for g in QUALITY_GRADES]
_Q = TypeVar("_Q", bound="Select")


@dataclass(frozen=True)
class Tally:
    """How one group of (submitted return, question) pairs was answered."""

    graded: int
    requires_improvement: int
    inadequate: int
    not_applicable: int
    not_answered: int

    @property
    def weak(self) -> int:
        return self.requires_improvement + self.inadequate

    @property
    def weakness(self) -> float | None:
        """Share of graded answers that are weak; None (not 0) when nothing was graded."""
        return weakness(self.weak, self.graded)


def weakness(weak: int, graded: int) -> float | None:
    """A standard's or question's weakness: weak / graded, or None when nothing was graded."""
    return weak / graded if graded else None


def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def tally_of(row: Any) -> Tally:
    return Tally(graded=int(row.graded), requires_improvement=int(row.requires_improvement),
                 inadequate=int(row.inadequate), not_applicable=int(row.not_applicable),
                 not_answered=int(row.not_answered))


def cycle_tallies(*, cycle_id: int, sector_id: int | None) -> Select[Any]:
    """One row per (sector, question) of a cycle's submitted returns: `sector_id`,
    `question_id` and the tally columns (graded, requires_improvement, inadequate,
    not_applicable, not_answered).

    Two aggregates joined on (sector, variant, question): the (submitted return, question of its
    variant) pairs, and the cycle's answers by grade. An answer to a question outside its return's
    variant has no pair and is not counted. Not answered = pairs without a graded or N/A answer
    (no answer row, or a NULL grade). Each aggregate reads the cycle's rows only. (A LEFT JOIN of
    every pair to its answer let PostgreSQL choose, on fresh statistics, a merge join comparing
    each return's answers with each of its questions: 9.5 million comparisons for a
    10,000-agency cycle.)"""
    pairs = _submitted(
        select(Agency.sector_id.label("sector_id"), Return.variant.label("variant"),
               Question.id.label("question_id"), func.count().label("pairs"))
        .select_from(Return), cycle_id, sector_id,
    ).join(Question, and_(Question.tool_version_id == Cycle.tool_version_id,
                          in_variant(Return.variant))
           ).group_by(Agency.sector_id, Return.variant, Question.id).subquery("pairs")
    grade = Answer.grade
    answered = _submitted(
        select(Agency.sector_id.label("sector_id"), Return.variant.label("variant"),
               Answer.question_id.label("question_id"),
               count_if(grade.in_(QUALITY)).label("graded"),
               count_if(grade == Grade.REQUIRES_IMPROVEMENT.value).label("requires_improvement"),
               count_if(grade == Grade.INADEQUATE.value).label("inadequate"),
               count_if(grade == Grade.NOT_APPLICABLE.value).label("not_applicable"))
        .select_from(Answer).join(Return, Return.id == Answer.return_id), cycle_id, sector_id,
    ).group_by(Agency.sector_id, Return.variant, Answer.question_id).subquery("answered")
    counts = [func.sum(func.coalesce(answered.c[name], 0)).label(name)
              for name in ("graded", "requires_improvement", "inadequate", "not_applicable")]
    return (
        select(pairs.c.sector_id, pairs.c.question_id, *counts,
               (func.sum(pairs.c.pairs) - counts[0] - counts[3]).label("not_answered"))
        .select_from(pairs)
        .outerjoin(answered, and_(answered.c.sector_id == pairs.c.sector_id,
                                  answered.c.variant == pairs.c.variant,
                                  answered.c.question_id == pairs.c.question_id))
        .group_by(pairs.c.sector_id, pairs.c.question_id)
    )


def cycle_agencies_graded(*, cycle_id: int, sector_id: int | None) -> Select[int, int, int]:
    """One row per (sector, standard) of a cycle's submitted returns: `sector_id`,
    `standard_id` and `agencies`, the number of agencies with at least one graded answer to the
    standard's questions (one return per agency per cycle). "Too few to compare" is decided on
    this count: a cell's share can rest on many answers from a single agency."""
    return _submitted(
        select(Agency.sector_id.label("sector_id"), Question.standard_id.label("standard_id"),
               func.count(func.distinct(Return.agency_id)).label("agencies"))
        .select_from(Answer).join(Return, Return.id == Answer.return_id)
        .join(Question, Question.id == Answer.question_id), cycle_id, sector_id,
    ).where(Answer.grade.in_(QUALITY), in_variant(Return.variant)).group_by(
        Agency.sector_id, Question.standard_id)


def _submitted(query: _Q, cycle_id: int, sector_id: int | None) -> _Q:
    """The query's returns: the cycle's submitted ones (of one sector), with cycle and agency."""
    query = (query.join(Cycle, Cycle.id == Return.cycle_id)
             .join(Agency, Agency.id == Return.agency_id)
             .where(Return.cycle_id == cycle_id, Return.status == ReturnStatus.SUBMITTED.value))
    return query if sector_id is None else query.where(Agency.sector_id == sector_id)


def code_key(code: str) -> tuple[int, ...]:
    """Sort codes numerically: 2 before 10, 6.2 before 6.10."""
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))


def weakness_key(value: float | None) -> float:
    """Descending by weakness, with 'nothing graded' after every real figure."""
    return 1.0 if value is None else -value


class Ranked(Protocol):
    """A standard's or question's row of a report: its code and its tally."""

    @property
    def code(self) -> str: ...

    @property
    def tally(self) -> Tally: ...


RowT = TypeVar("RowT", bound=Ranked)


def rank_standards(rows: list[RowT]) -> list[RowT]:
    """Weakest first; nothing graded last; ties by standard number."""
    return sorted(rows, key=lambda r: (weakness_key(r.tally.weakness), code_key(r.code)))


def rank_questions(rows: list[RowT]) -> list[RowT]:
    """Most requires improvement / inadequate grades first, then by weakness, then by number."""
    return sorted(rows, key=lambda r: (-r.tally.weak, weakness_key(r.tally.weakness),
                                       code_key(r.code)))


def execute(session: Session, query: Select[Any]) -> list[Any]:
    return list(session.execute(query))
