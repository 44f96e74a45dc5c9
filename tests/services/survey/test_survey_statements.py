"""The report's survey section does not grow with the issued returns when nobody answered: the
survey results and the report data send the same statements, as the database runs them, for a
cycle of 10 agencies and one of 200 (responses counted with one grouped aggregate, no correlated
COUNT per issued return), and agencies without figures share one list of zero counts."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus, ToolVersion
from portal.services import survey
from portal.services.cycles import create_cycle, open_cycle
from portal.services.reporting import sector_report
from tests.support import factories, server_statements, survey_fixture

OPENED = datetime(2026, 5, 1, 9)


def _closed_cycle(db: Session, tool: ToolVersion, label: str, cohort: str, agencies: int) -> Cycle:
    for n in range(agencies):
        factories.agency(db, f"Agency {cohort}{n}", cohort=cohort,
                         sector_name=("Health", "GP practices")[n % 2])
    cycle = create_cycle(db, label=label, cohort=cohort, deadline=date(2026, 7, 31), now=OPENED,
                         tool_version=tool)
    open_cycle(db, cycle, now=OPENED, links=None)
    survey.ensure_links(db, cycle, now=OPENED)
    cycle.status = CycleStatus.CLOSED.value
    db.commit()
    return cycle


def _served(db: Session, cycle: Cycle) -> tuple[list[str], list[str]]:
    with server_statements(db.get_bind()) as results:  # type: ignore[arg-type]
        found = survey.survey_results(db, cycle)
    assert not any(a.shown for a in found.agencies)
    with server_statements(db.get_bind()) as report:  # type: ignore[arg-type]
        sector_report(db, cycle_label=cycle.label)
    return results, report


def test_survey_statements_stay_the_same_from_10_to_200_unanswered_agencies(
        db: Session, tmp_path: Path) -> None:
    tool = survey_fixture.survey_tool(db, tmp_path)
    small = _served(db, _closed_cycle(db, tool, "2026-27", "A", 10))
    large_cycle = _closed_cycle(db, tool, "2027-28", "B", 200)
    large = _served(db, large_cycle)
    assert len(large[0]) == len(small[0]) and len(large[1]) == len(small[1])
    counting = [sql for sql in large[0] if "survey_responses" in sql]
    assert counting and all("GROUP BY" in sql for sql in counting)

    results = survey.survey_results(db, large_cycle)
    assert len(results.agencies) == 200 and results.partnership.responses == 0
    shared = {id(a.statements) for a in results.agencies}
    assert len(shared) == 1  # one list of zero counts, not one per agency
    assert all(s.total == 0 for s in results.agencies[0].statements)
