"""The MESC sector report: the weakest standards by sector and overall, for one cycle.

`sector_report` is a pure function of the database: one aggregate per cycle gives the tally of
every (sector, question) pair (`cycle_tallies` in portal/services/analysis/_weakness.py holds the
counting rule), and the report's tables are sums of those tallies, ranked in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus, Question, Sector
from portal.models import Standard as StandardModel
from portal.services import cycles, survey
from portal.services.analysis import (
    Tally,
    cycle_agencies_graded,
    cycle_tallies,
    execute,
    rank_questions,
    rank_standards,
    tally_of,
)
from portal.services.common import NotFound
from portal.services.cycles import SectorFigures
from portal.services.survey import SurveyResults, SurveySettings

from ._grid import MIN_AGENCIES, MIN_GRADED, GridRow, TooFew, grid_rows
from ._moderation_data import TARGET_RATE, ModerationSummary, moderation_summary
from ._na_blank import NA_BLANK_SHARE, NaBlankQuestion, na_blank_questions
from ._recommendations_data import PreviousRecommendations, previous_recommendations

UK = ZoneInfo("Europe/London")

METHOD_NOTE = (
    "Counted: every question in the tool variant of every return submitted in the cycle. "
    "A question's answer is graded (outstanding, good, requires improvement or inadequate), "
    "not applicable (N/A), or not answered (left blank). A standard's weakness is the share of "
    "its graded answers that are requires improvement or inadequate. N/A and not-answered are "
    "left out of that share, because counting them skewed past reports, and are shown beside "
    "every percentage instead. A standard with no graded answers has no weakness figure and is "
    "listed last. Standards are ranked by weakness (ties by standard number); questions by their "
    "number of requires improvement or inadequate grades. Returns not submitted are not counted, "
    "except as non-returners. Change is against the same sector's returns in the previous cycle "
    "of the same cohort, in percentage points: a fall in weakness is better, a rise worse. A "
    f"grid cell whose graded answers come from fewer than {MIN_AGENCIES} agencies is too few to "
    "compare and is not shaded, however many answers those agencies gave. A percentage from "
    f"fewer than {MIN_GRADED} graded answers is a small number, marked \u2020 in the tables, and "
    "no change is given when either cycle has so few. A question gets a "
    f"sentence on N/A and blank answers when they make up {NA_BLANK_SHARE:.0%} or more of its "
    "answers. Moderation: completed visits against a target of "
    f"{TARGET_RATE:.0%} of submitted returns; a finding is agreed, under-scored (moderated grade "
    "better than the self grade) or over-inflated (moderated grade worse)."
)


@dataclass(frozen=True)
class CycleFigures:
    cycle: str
    cohort: str
    issued: int
    returned: int

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.issued if self.issued else None


@dataclass(frozen=True)
class SectorReturns:
    sector: str
    issued: int
    returned: int

    @property
    def not_returned(self) -> int:
        return self.issued - self.returned

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.issued if self.issued else None


@dataclass(frozen=True)
class SectorShare:
    sector: str
    count: int
    share: float


@dataclass(frozen=True)
class StandardRow:
    code: str
    title: str
    tally: Tally


@dataclass(frozen=True)
class QuestionRow:
    code: str
    standard: str
    text: str
    tally: Tally


@dataclass(frozen=True)
class StandardChange:
    code: str
    title: str
    weakness: float | None
    previous_weakness: float | None
    graded: int = MIN_GRADED
    previous_graded: int = MIN_GRADED

    @property
    def left_out_because(self) -> str | None:
        """Why no change is given, or None when there is one."""
        if min(self.graded, self.previous_graded) < MIN_GRADED:
            return f"too few to compare (fewer than {MIN_GRADED} graded answers)"
        return None

    @property
    def change(self) -> float | None:
        """Percentage points (as a fraction) since the previous return of the cohort."""
        if self.weakness is None or self.previous_weakness is None or self.left_out_because:
            return None
        return self.weakness - self.previous_weakness

    @property
    def direction(self) -> str | None:
        """In words: a fall in weakness is "better", a rise "worse"."""
        change = self.change
        if change is None:
            return None
        if round(change, 4) == 0:
            return "no change"
        return "better" if change < 0 else "worse"


@dataclass(frozen=True)
class SectorSection:
    sector: str
    issued: int
    returned: int
    standards: list[StandardRow]
    questions: list[QuestionRow]
    previous_cycle: str | None  # the previous cycle of the same cohort, when it has returns
    changes: list[StandardChange]


@dataclass(frozen=True)
class SectorReport:
    cycle: str
    cohort: str
    status: str
    tool_version: str
    sector: str | None  # the filter, when the report is for one sector
    headline: CycleFigures
    previous_cycles: list[CycleFigures]  # newest first
    returns_by_sector: list[SectorReturns]
    non_returners_by_sector: list[SectorShare]
    standards: list[StandardRow]
    sectors: list[SectorSection]
    grid_sectors: list[str]
    grid: list[GridRow]
    moderation: ModerationSummary
    final_deadline: date | None = None
    provisional: bool = False  # the final deadline has not passed: agencies can still return
    na_blank: tuple[NaBlankQuestion, ...] = ()
    method: str = METHOD_NOTE
    previous_recommendations: PreviousRecommendations = field(
        default_factory=PreviousRecommendations)
    survey: SurveyResults | None = None  # the practitioner survey, when the cycle's tool has one

    @property
    def can_still_return(self) -> int:
        """Agencies that can still return (provisional reports); 0 once the cycle is final."""
        return self.issued - self.returned if self.provisional else 0

    @property
    def not_returned_label(self) -> str:
        return "not yet returned" if self.provisional else "did not return it"

    @property
    def too_few(self) -> list[TooFew]:
        """Grid cells graded by fewer than MIN_AGENCIES agencies, by sector."""
        found = [TooFew(sector, [g.code for g in self.grid if g.shown[i].too_few])
                 for i, sector in enumerate(self.grid_sectors)]
        return [t for t in found if t.codes]

    @property
    def agencies_counted(self) -> bool:
        """Whether the grid counts agencies (every report since; not one published before)."""
        return all(g.agencies for g in self.grid)

    @property
    def issued(self) -> int:
        return self.headline.issued

    @property
    def returned(self) -> int:
        return self.headline.returned

    @property
    def return_rate(self) -> float | None:
        return self.headline.return_rate

    @property
    def top_three(self) -> list[StandardRow]:
        return [s for s in self.standards if s.tally.graded][:3]


def sector_report(
    session: Session, *, cycle_label: str, sector: str | None = None, now: datetime | None = None,
    survey_settings: SurveySettings | None = None,
) -> SectorReport:
    """The MESC summary of one cycle, for every sector or just one, as it stands at `now`
    (provisional until the cycle's final deadline has passed; without `now`, while it is open)."""
    cycle = cycles.get_cycle(session, cycle_label)
    sector_id = _sector_id(session, sector)
    previous = cycles.previous_cycle(session, cycle, cohort=cycle.cohort)
    cells = _cells(session, cycle.id, sector_id)
    before = _cells(session, previous.id, sector_id) if previous else []
    return _report(session, cycle, previous, sector, sector_id, cells, before, now=now,
                   survey_settings=survey_settings,
                   agencies=_agencies(session, cycle.id, sector_id))


def sector_reports(
    session: Session, *, cycle_label: str, sectors: list[str], now: datetime | None = None,
    survey_settings: SurveySettings | None = None,
) -> dict[str | None, SectorReport]:
    """The report for every sector (key None) and for each of `sectors`, from one pass over the
    cycle's answers (and the previous cycle's): each sector's tables are its share of the
    (sector, question) tallies, the same figures `sector_report(sector=...)` counts."""
    cycle = cycles.get_cycle(session, cycle_label)
    previous = cycles.previous_cycle(session, cycle, cohort=cycle.cohort)
    cells = _cells(session, cycle.id, None)
    before = _cells(session, previous.id, None) if previous else []
    agencies = _agencies(session, cycle.id, None)
    reports: dict[str | None, SectorReport] = {None: _report(
        session, cycle, previous, None, None, cells, before, now=now,
        survey_settings=survey_settings, agencies=agencies)}
    for name in sectors:
        reports[name] = _report(
            session, cycle, previous, name, _sector_id(session, name),
            [c for c in cells if c.sector == name], [c for c in before if c.sector == name],
            now=now, survey_settings=survey_settings, agencies=agencies)
    return reports


def _report(session: Session, cycle: Cycle, previous: Cycle | None, sector: str | None,
            sector_id: int | None, cells: list[_Cell], before: list[_Cell], *,
            now: datetime | None, survey_settings: SurveySettings | None,
            agencies: dict[tuple[str, str], int]) -> SectorReport:
    figures = _cycle_figures(session, cycle, sector_id)
    sector_figures = cycles.sector_figures(session, cycle, sector_id=sector_id)
    by_sector = [SectorReturns(s.name, s.counts.issued, s.counts.submitted)
                 for s in sector_figures]
    sections = _sections(by_sector, previous, cells, before)
    headline = next((f for f in figures if f.cycle == cycle.label),
                    CycleFigures(cycle.label, cycle.cohort, 0, 0))
    return SectorReport(
        cycle=cycle.label, cohort=cycle.cohort, status=cycle.status,
        tool_version=cycle.tool_version.version, sector=sector, headline=headline,
        previous_cycles=[f for f in figures if f.cycle != cycle.label],
        returns_by_sector=by_sector, non_returners_by_sector=non_returner_shares(sector_figures),
        standards=_standard_rows(cells), sectors=sections,
        grid_sectors=[s.sector for s in sections], grid=grid_rows(sections, agencies),
        moderation=moderation_summary(session, cycle=cycle, sector_id=sector_id, sector=sector),
        final_deadline=cycle.final_deadline, provisional=is_provisional(cycle, now=now),
        na_blank=tuple(na_blank_questions((s.sector, s.questions) for s in sections)),
        previous_recommendations=previous_recommendations(session, cycle),
        survey=survey.survey_results(session, cycle, settings=survey_settings or SurveySettings())
        if sector is None and survey.has_survey(session, cycle) else None,
    )


def is_provisional(cycle: Cycle, *, now: datetime | None) -> bool:
    """Agencies can still return: the cycle is not closed and its final deadline (the end of
    that UK day) has not passed at `now` (naive UTC); without `now`, while the cycle is open."""
    if cycle.status == CycleStatus.CLOSED.value:
        return False
    if now is None:
        return cycle.status == CycleStatus.OPEN.value
    return now.replace(tzinfo=UTC).astimezone(UK).date() <= cycle.final_deadline


def _sector_id(session: Session, name: str | None) -> int | None:
    if name is None:
        return None
    found = session.scalar(select(Sector.id).where(Sector.name == name))
    if found is None:
        raise NotFound(f"No sector called {name}")
    return found


def _cycle_figures(session: Session, cycle: Cycle, sector_id: int | None) -> list[CycleFigures]:
    """Issued and returned for this cycle and every earlier one that issued any, newest first."""
    rates = cycles.cycle_rates(session, up_to=cycle.deadline, sector_id=sector_id)
    return [CycleFigures(r.label, r.cohort, r.issued, r.submitted)
            for r in reversed(rates) if r.issued]


def non_returner_shares(by_sector: list[SectorFigures]) -> list[SectorShare]:
    """Each sector's count of non-returners and its share of all non-returners, largest first."""
    shares = [SectorShare(s.name, s.counts.not_submitted, s.share_of_non_returners or 0.0)
              for s in cycles.share_non_returners(by_sector) if s.counts.not_submitted]
    return sorted(shares, key=lambda s: -s.count)  # stable: ties keep sector order


@dataclass(frozen=True)
class _Cell:
    """One (sector, question) aggregate: everything the report's tables are sums of."""

    sector: str
    standard: str
    standard_title: str
    row: QuestionRow


def _cells(session: Session, cycle_id: int, sector_id: int | None) -> list[_Cell]:
    """One pass over the cycle's answers: the tally of every (sector, question) pair."""
    tallies = cycle_tallies(cycle_id=cycle_id, sector_id=sector_id).subquery("tallies")
    query = (
        select(Sector.name, Question.code, StandardModel.code.label("standard"),
               StandardModel.title.label("standard_title"), Question.text,
               *(tallies.c[f.name] for f in fields(Tally)))
        .select_from(tallies)
        .join(Sector, Sector.id == tallies.c.sector_id)
        .join(Question, Question.id == tallies.c.question_id)
        .join(StandardModel, StandardModel.id == Question.standard_id)
    )
    return [_Cell(r.name, r.standard, r.standard_title,
                  QuestionRow(r.code, r.standard, r.text, tally_of(r)))
            for r in execute(session, query)]


def _agencies(session: Session, cycle_id: int, sector_id: int | None) -> dict[tuple[str, str], int]:
    """Agencies with graded answers, by (sector name, standard code): one aggregate query."""
    counted = cycle_agencies_graded(cycle_id=cycle_id, sector_id=sector_id).subquery("counted")
    query = (select(Sector.name, StandardModel.code, counted.c.agencies).select_from(counted)
             .join(Sector, Sector.id == counted.c.sector_id)
             .join(StandardModel, StandardModel.id == counted.c.standard_id))
    return {(r.name, r.code): int(r.agencies) for r in execute(session, query)}


def _total(tallies: list[Tally]) -> Tally:
    return Tally(*(sum(getattr(t, f.name) for t in tallies) for f in fields(Tally)))


def _standard_rows(cells: list[_Cell]) -> list[StandardRow]:
    """Standards, each the sum of its questions' tallies, weakest first."""
    grouped: dict[tuple[str, str], list[Tally]] = {}
    for cell in cells:
        grouped.setdefault((cell.standard, cell.standard_title), []).append(cell.row.tally)
    return rank_standards([StandardRow(code, title, _total(tallies))
                           for (code, title), tallies in grouped.items()])


def _by_sector(cells: list[_Cell]) -> dict[str, list[_Cell]]:
    found: dict[str, list[_Cell]] = {}
    for cell in cells:
        found.setdefault(cell.sector, []).append(cell)
    return found


def _by_sector_standard(cells: list[_Cell]) -> dict[str, list[StandardRow]]:
    """Table: each sector's standards (also the standards x sectors grid)."""
    return {name: _standard_rows(group) for name, group in _by_sector(cells).items()}


def _by_sector_question(cells: list[_Cell]) -> dict[str, list[QuestionRow]]:
    """Table: each sector's questions with the most requires improvement / inadequate grades."""
    return {name: rank_questions([c.row for c in group])
            for name, group in _by_sector(cells).items()}


def _sections(
    by_sector: list[SectorReturns], previous: Cycle | None, cells: list[_Cell],
    cells_before: list[_Cell],
) -> list[SectorSection]:
    standards = _by_sector_standard(cells)
    questions = _by_sector_question(cells)
    before = _by_sector_standard(cells_before)
    sections = []
    for returns in by_sector:
        if not returns.returned:
            continue
        rows = standards.get(returns.sector, [])
        earlier = {s.code: s.tally for s in before.get(returns.sector, [])}
        changes = [StandardChange(s.code, s.title, s.tally.weakness, earlier[s.code].weakness,
                                  s.tally.graded, earlier[s.code].graded)
                   for s in rows if s.code in earlier]
        sections.append(SectorSection(
            sector=returns.sector, issued=returns.issued, returned=returns.returned,
            standards=rows, questions=questions.get(returns.sector, []),
            previous_cycle=previous.label if previous and earlier else None, changes=changes,
        ))
    return sections
