"""Survey results and corroboration gaps, counted in SQL, released under the rules of
`_disclosure` (docs/survey.md):

- Figures are released only when the cycle has closed (the links close with it), never live.
- An agency's figures (statements, bands, gaps) are shown only from `min_responses` counted
  responses (set-aside responses never count); below that only its rounded count is given.
- Every released count is rounded to base 5; bands need `min_responses` each.
- Sector and partnership figures pool only the agencies whose own figures are shown, so a total
  minus the published agencies reveals nothing about an agency under the threshold.
- `published=False` (targeted sampling only, never shown) skips the closing and rounding rules.
- The agreement for a question pools every answer to the statements mapped to it: agree / all
  answers (partly, disagree and don't know all count as not agreeing).
- A corroboration gap is a question the agency graded good or outstanding in its submitted
  return, with an agreement under `gap_share`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    Answer,
    Cycle,
    Question,
    Return,
    ReturnStatus,
    Sector,
    SurveyAnswerRow,
    SurveyResponse,
    SurveyStatement,
    SurveyStatementQuestion,
)
from portal.services import tools
from portal.vocabulary import CycleStatus, Grade, SurveyAnswer, Variant

from . import _disclosure
from ._links import statements_of

COUNTED = SurveyResponse.set_aside.is_(None)  # a set-aside response counts nowhere
CORROBORATED_GRADES = (Grade.GOOD.value, Grade.OUTSTANDING.value)
ANSWER_KEYS = [a.value for a in SurveyAnswer]


@dataclass(frozen=True)
class SurveySettings:
    min_responses: int = 10
    gap_share: float = 0.6


@dataclass
class StatementCounts:
    code: str
    text: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ANSWER_KEYS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def agree_share(self) -> float | None:
        return self.counts["agree"] / self.total if self.total else None

    def round(self) -> None:
        self.counts = {key: _disclosure.rounded(n) for key, n in self.counts.items()}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "agree": self.counts["agree"], "partly": self.counts["partly"],
                "disagree": self.counts["disagree"], "dont_know": self.counts["dont_know"]}


@dataclass(frozen=True)
class Gap:
    """A mapped question: the agency's self-grade beside its staff's agreement."""

    question: str  # the stable code (5.1)
    question_text: str  # in the words of the agency's variant of the tool
    self_grade: str
    agree_share: float
    is_gap: bool = True
    number: str = ""  # the number the agency saw (the short tool numbers 1, 2, 3 ...)

    @property
    def label(self) -> str:
        """The question as the agency knew it, with the stable code beside its own number."""
        shown = self.number if self.number and self.number != self.question else ""
        return (f"{shown} (code {self.question}) " if shown else f"{self.question} ") + \
            self.question_text


@dataclass
class AgencyResult:
    agency_id: int
    agency: str
    sector: str
    responses: int
    submitted: bool
    shown: bool = False
    statements: list[StatementCounts] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    questions: list[Gap] = field(default_factory=list)  # every mapped, graded question
    role_bands: dict[str, int] = field(default_factory=dict)
    service_bands: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency, "sector": self.sector, "responses": self.responses,
            "shown": self.shown,
            "statements": [s.as_dict() for s in self.statements] if self.shown else [],
            "gaps": [{"question": g.question, "self_grade": g.self_grade,
                      "agree_share": round(g.agree_share, 4)} for g in self.gaps] if self.shown else [],
        }


@dataclass
class GroupResult:
    """A sector's or the partnership's figures, pooled from its agencies whose figures are shown."""

    name: str
    responses: int = 0  # pooled from the agencies whose figures are shown
    agencies: int = 0
    agencies_shown: int = 0
    gaps: int = 0
    statements: list[StatementCounts] = field(default_factory=list)


@dataclass
class SurveyResults:
    cycle: str
    settings: SurveySettings
    agencies: list[AgencyResult]
    sectors: list[GroupResult]
    partnership: GroupResult
    released: bool = True  # False while the cycle (and so the survey) is open

    def as_dict(self) -> dict[str, Any]:
        return {"cycle": self.cycle, "min_responses": self.settings.min_responses,
                "released": self.released, "agencies": [a.as_dict() for a in self.agencies]}

    def least_agreed(self, n: int = 5) -> list[StatementCounts]:
        answered = [s for s in self.partnership.statements if s.total]
        return sorted(answered, key=lambda s: (s.agree_share or 0, s.code))[:n]

    def by_gaps(self) -> list[AgencyResult]:
        """Agencies whose figures are shown, most gaps first, then lowest agreement, then name."""
        shown = [a for a in self.agencies if a.shown]
        return sorted(shown, key=lambda a: (-len(a.gaps), _lowest(a), a.agency))


def _lowest(result: AgencyResult) -> float:
    return min((g.agree_share for g in result.gaps), default=1.0)


def survey_results(session: Session, cycle: Cycle, *, settings: SurveySettings = SurveySettings(),
                   agency_id: int | None = None, published: bool = True) -> SurveyResults:
    """Every issued agency's results (or one agency's), with sector and partnership figures,
    as they may be released (`published=False`: exact, for ranking the sample only)."""
    statements = statements_of(session, cycle.tool_version_id)
    agencies = _issued(session, cycle, agency_id)
    released = cycle.status == CycleStatus.CLOSED.value or not published
    unanswered = _Zeros(statements)  # agencies not shown share one list of zero counts
    for result in agencies.values():
        result.shown = _disclosure.releasable(result.responses, closed=released,
                                              minimum=settings.min_responses)
        result.statements = ([StatementCounts(st.code, st.text) for st in statements]
                             if result.shown else unanswered.counts)
    shown = {a for a, r in agencies.items() if r.shown}
    by_statement = {st.id: i for i, st in enumerate(statements)}
    for agency, statement_id, answer, n in _answer_counts(session, cycle, shown):
        agencies[agency].statements[by_statement[statement_id]].counts[answer] = n
    _add_gaps(session, cycle, agencies, shown, settings)
    _add_bands(session, cycle, agencies, shown)
    ordered = sorted(agencies.values(), key=lambda r: (r.agency.lower(), r.agency_id))
    sectors = _groups(ordered, statements)
    partnership = _group("Partnership", ordered, statements)
    if published:
        _round(ordered, [*sectors, partnership], settings)
    return SurveyResults(cycle.label, settings, ordered, sectors, partnership, released)


class _Zeros:
    """Zero counts of every statement, made once per result and shared, read-only, by every
    agency whose figures are not shown (their counts are never filled in, rounded or pooled),
    so a cycle of 10,000 agencies with no answers builds one list, not 10,000."""

    def __init__(self, statements: list[SurveyStatement]) -> None:
        self.counts = [StatementCounts(st.code, st.text) for st in statements]


def _round(agencies: list[AgencyResult], groups: list[GroupResult], settings: SurveySettings) -> None:
    """Round every count to base 5 and every share to 5 points; merge small bands."""
    for result in agencies:
        result.responses = _disclosure.rounded(result.responses)
        if not result.shown:
            continue  # its counts are the shared zeros, and it has no gaps or bands
        for counts in result.statements:
            counts.round()
        result.questions = [replace(g, agree_share=_disclosure.rounded_share(g.agree_share))
                            for g in result.questions]
        result.gaps = [g for g in result.questions if g.is_gap]
        result.role_bands = _disclosure.merged_bands(result.role_bands,
                                                     minimum=settings.min_responses)
        result.service_bands = _disclosure.merged_bands(result.service_bands,
                                                        minimum=settings.min_responses)
    for group in groups:
        group.responses = _disclosure.rounded(group.responses)
        for counts in group.statements:
            counts.round()


def _issued(session: Session, cycle: Cycle, agency_id: int | None) -> dict[int, AgencyResult]:
    # one grouped count of the cycle's responses, joined: its cost follows the responses, not
    # a correlated count per issued return
    responses = (
        select(SurveyResponse.agency_id, func.count().label("n"))
        .where(SurveyResponse.cycle_id == cycle.id, COUNTED)
        .group_by(SurveyResponse.agency_id).subquery()
    )
    query = (
        select(Return.agency_id, Agency.name, Sector.name, responses.c.n, Return.status)
        .join(Agency, Agency.id == Return.agency_id).join(Sector, Sector.id == Agency.sector_id)
        .outerjoin(responses, responses.c.agency_id == Return.agency_id)
        .where(Return.cycle_id == cycle.id)
    )
    if agency_id is not None:
        query = query.where(Return.agency_id == agency_id)
    return {
        a_id: AgencyResult(a_id, name, sector, int(n or 0), status == ReturnStatus.SUBMITTED.value)
        for a_id, name, sector, n, status in session.execute(query)
    }


def _answer_counts(session: Session, cycle: Cycle, shown: set[int]) -> list[Any]:
    """Answer counts of the agencies whose figures are shown, and no other's."""
    return list(session.execute(
        select(SurveyResponse.agency_id, SurveyAnswerRow.statement_id, SurveyAnswerRow.answer,
               func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswerRow.response_id)
        .where(SurveyResponse.cycle_id == cycle.id, SurveyResponse.agency_id.in_(shown), COUNTED)
        .group_by(SurveyResponse.agency_id, SurveyAnswerRow.statement_id, SurveyAnswerRow.answer)
    ))


def _add_gaps(session: Session, cycle: Cycle, agencies: dict[int, AgencyResult], shown: set[int],
              settings: SurveySettings) -> None:
    if not shown:
        return
    agree = func.sum(case((SurveyAnswerRow.answer == SurveyAnswer.AGREE.value, 1), else_=0))
    shares = session.execute(
        select(SurveyResponse.agency_id, SurveyStatementQuestion.question_id, agree, func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswerRow.response_id)
        .join(SurveyStatementQuestion,
              SurveyStatementQuestion.statement_id == SurveyAnswerRow.statement_id)
        .where(SurveyResponse.cycle_id == cycle.id, SurveyResponse.agency_id.in_(shown), COUNTED)
        .group_by(SurveyResponse.agency_id, SurveyStatementQuestion.question_id)
    )
    share = {(a, q): int(yes or 0) / n for a, q, yes, n in shares if n}
    grades = session.execute(
        select(Return.agency_id, Return.variant, Question.id, Question.code, Question.text,
               Question.short_text, Answer.grade)
        .join(Answer, Answer.return_id == Return.id).join(Question, Question.id == Answer.question_id)
        .where(Return.cycle_id == cycle.id, Return.status == ReturnStatus.SUBMITTED.value,
               Return.agency_id.in_(shown), Answer.grade.is_not(None))
        .order_by(Question.id)
    )
    numbers = _Numbers(session, cycle)
    for a_id, variant, q_id, code, text, short_text, grade in grades:
        agreed = share.get((a_id, q_id))
        if agreed is not None and grade is not None:
            is_gap = grade in CORROBORATED_GRADES and agreed < settings.gap_share
            words = (short_text if variant == Variant.SHORT.value else None) or text
            agencies[a_id].questions.append(
                Gap(code, words, grade, agreed, is_gap, numbers.of(variant, code)))
    for a_id in shown:
        result = agencies[a_id]
        # gaps first (least agreement first), then the rest in the tool's order
        result.questions.sort(key=lambda g: (not g.is_gap, g.agree_share if g.is_gap else 0,
                                             _code_key(g.question)))
        result.gaps = [g for g in result.questions if g.is_gap]


class _Numbers:
    """The numbers each variant of the cycle's tool shows its questions by, read on first need."""

    def __init__(self, session: Session, cycle: Cycle) -> None:
        self.session, self.cycle = session, cycle
        self.by_variant: dict[str, dict[str, str]] = {}

    def of(self, variant: str, code: str) -> str:
        if variant not in self.by_variant:
            outline = tools.tool_outline(self.session, self.cycle.tool_version)
            self.by_variant[variant] = tools.question_numbers(outline, variant)
        return self.by_variant[variant].get(code, code)


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


def _add_bands(session: Session, cycle: Cycle, agencies: dict[int, AgencyResult],
               shown: set[int]) -> None:
    """Band counts, only for agencies whose figures are shown."""
    if not shown:
        return
    for column, attribute in ((SurveyResponse.role_band, "role_bands"),
                              (SurveyResponse.service_band, "service_bands")):
        rows = session.execute(
            select(SurveyResponse.agency_id, column, func.count())
            .where(SurveyResponse.cycle_id == cycle.id, SurveyResponse.agency_id.in_(shown),
                   COUNTED)
            .group_by(SurveyResponse.agency_id, column)
        )
        for a_id, band, n in rows:
            getattr(agencies[a_id], attribute)[band or "not_given"] = n


def _groups(agencies: list[AgencyResult], statements: list[SurveyStatement]) -> list[GroupResult]:
    by_sector: dict[str, list[AgencyResult]] = defaultdict(list)
    for result in agencies:
        by_sector[result.sector].append(result)
    return [_group(sector, members, statements) for sector, members in sorted(by_sector.items())]


def _group(name: str, members: list[AgencyResult], statements: list[SurveyStatement]) -> GroupResult:
    group = GroupResult(name, statements=[StatementCounts(st.code, st.text) for st in statements])
    for result in members:
        group.agencies += 1
        if not result.shown:
            continue  # pooled only from agencies whose own figures are released
        group.responses += result.responses
        group.agencies_shown += 1
        group.gaps += len(result.gaps)
        for total, own in zip(group.statements, result.statements, strict=True):
            for key in ANSWER_KEYS:
                total.counts[key] += own.counts[key]
    return group
