"""Recording a visit in one save: every standard graded or "not looked at" with a reason before
the visit can be completed; a save keeps what is decided so far, all or nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, OutboxMessage, Visit
from portal.services import moderation
from portal.services.common import Invalid, Refused
from tests.support import statements
from tests.support.moderation_factories import (
    VISIT_LINKS,
    action,
    drawn,
    evidence,
    grade,
    record_every_standard,
)

VISIT_DAY = datetime(2018, 3, 12, 10)
THAT_AFTERNOON = datetime(2018, 3, 12, 15)


def held_visit(db: Session) -> Visit:
    """A scheduled visit whose day has come, to an agency that answered standard 1."""
    visit = drawn(db)[0][0]
    visit.status, visit.starts_at = "scheduled", VISIT_DAY
    grade(db, visit.return_, {"1.1": "good", "1.2": "good", "1.3": "requires_improvement"})
    db.flush()
    return visit


def ids_of(db: Session, visit: Visit) -> list[int]:
    return [r.standard.id for r in moderation.review(db, visit)]


def entry(standard_id: int, grade: str = "good", note: str = "") -> moderation.FindingEntry:
    return moderation.FindingEntry(standard_id, grade, note)


def test_a_save_keeps_grades_and_not_looked_at_and_leaves_undecided_standards_unrecorded(
    app: Flask, db: Session, tool: object
) -> None:
    visit = held_visit(db)
    first, second, third, *_ = ids_of(db, visit)
    saved = moderation.record_findings(
        db, visit, [entry(first, "outstanding", "Strong minutes"),
                    entry(second, moderation.NOT_LOOKED_AT, "Ran out of time"), entry(third, "")],
        outcome="Draft outcome", now=THAT_AFTERNOON, user_id=None)
    assert saved == 2
    found = {f.standard_id: (f.moderated_grade, f.note, f.self_grade) for f in visit.findings}
    assert found == {first: ("outstanding", "Strong minutes", "good"),
                     second: ("not_looked_at", "Ran out of time", None)}
    assert visit.outcome == "Draft outcome" and visit.status == "scheduled"
    assert db.scalars(select(AuditEvent.action).where(
        AuditEvent.action == "findings.saved")).all() == ["findings.saved"]


def test_a_save_with_one_problem_saves_nothing_and_names_each_field(
    app: Flask, db: Session, tool: object
) -> None:
    visit = held_visit(db)
    first, second, third, fourth, *_ = ids_of(db, visit)
    with pytest.raises(Invalid) as refused:
        moderation.record_findings(
            db, visit, [entry(first, "good"), entry(second, moderation.NOT_LOOKED_AT, "  "),
                        entry(third, "", "A note with no grade"), entry(fourth, "excellent")],
            outcome="Draft", now=THAT_AFTERNOON, user_id=None)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        (f"note_{second}", "Enter why you did not look at standard 2"),
        (f"grade_{third}", 'Select a grade for standard 3, or "Not looked at", to keep its note'),
        (f"grade_{fourth}", "Select the moderated grade")]
    db.refresh(visit)
    assert visit.findings == [] and visit.outcome is None


def test_completion_is_refused_naming_every_unrecorded_standard_then_goes_through(
    app: Flask, db: Session, tool: object
) -> None:
    visit = held_visit(db)
    ids = ids_of(db, visit)
    assert len(ids) == 12
    moderation.record_findings(db, visit, [entry(i) for i in ids[:9]], outcome="Confirmed",
                               now=THAT_AFTERNOON, user_id=None)
    with pytest.raises(Invalid) as refused:
        moderation.complete_visit(db, visit, outcome="Confirmed", now=THAT_AFTERNOON,
                                  user_id=None, links=VISIT_LINKS)
    problems = refused.value.problems
    assert [p.field for p in problems] == [f"grade_{i}" for i in ids[9:]]
    assert problems[0].message == ("Record standard 10, Early help: select a grade, or select "
                                   '"Not looked at" and say why')
    db.refresh(visit)
    assert visit.status == "scheduled" and db.scalars(select(OutboxMessage)).all() == []

    moderation.record_findings(db, visit, [entry(i, moderation.NOT_LOOKED_AT, "Not in scope")
                                           for i in ids[9:]],
                               outcome="Confirmed", now=THAT_AFTERNOON, user_id=None)
    moderation.complete_visit(db, visit, outcome="Confirmed", now=THAT_AFTERNOON, user_id=None,
                              links=VISIT_LINKS)
    assert visit.status == "completed" and len(visit.findings) == 12
    assert len(db.scalars(select(OutboxMessage)).all()) == len(
        visit.return_.agency.contacts)


def test_completion_needs_an_outcome_as_well(app: Flask, db: Session, tool: object) -> None:
    visit = held_visit(db)
    record_every_standard(db, visit)
    with pytest.raises(Invalid) as refused:
        moderation.complete_visit(db, visit, outcome=" ", now=THAT_AFTERNOON, user_id=None)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("outcome", "Enter the outcome of the visit")]


def test_a_completed_visit_refuses_another_save(app: Flask, db: Session, tool: object) -> None:
    visit = held_visit(db)
    record_every_standard(db, visit)
    moderation.complete_visit(db, visit, outcome="Done", now=THAT_AFTERNOON, user_id=None)
    first = ids_of(db, visit)[0]
    with pytest.raises(Refused, match="outcome has been sent to the agency"):
        moderation.record_findings(db, visit, [entry(first, "inadequate")], outcome="Changed",
                                   now=THAT_AFTERNOON, user_id=None)
    assert moderation.closed_reason(visit).startswith("This visit is complete")
    db.refresh(visit)
    assert visit.outcome == "Done"
    assert {f.moderated_grade for f in visit.findings} == {"good"}


def test_not_looked_at_is_left_out_of_calibration(app: Flask, db: Session, tool: object) -> None:
    visit = held_visit(db)
    first, second, *_ = ids_of(db, visit)
    grade(db, visit.return_, {"2.1": "good"})
    moderation.record_findings(db, visit, [entry(first, "good"),
                                           entry(second, moderation.NOT_LOOKED_AT, "No time")],
                               outcome="", now=THAT_AFTERNOON, user_id=None)
    result = moderation.calibration(db, visit.return_.cycle)
    assert result.overall.findings == 1 and result.overall.agreed == 1
    assert [r.standard_code for r in result.by_standard] == ["1"]


def test_the_recording_page_reads_every_standard_in_the_same_few_queries(
    app: Flask, db: Session, tool: object
) -> None:
    visit = held_visit(db)
    action(db, visit.return_, "1.3", "Train the trustees", "Chair", None)
    evidence(db, visit.return_, "1", "Board minutes")
    db.commit()
    moderation.record_sheet(db, visit)  # the visit's own rows are loaded once
    with statements(db.get_bind()) as seen:  # type: ignore[arg-type]
        sheets = moderation.record_sheet(db, visit)
    # self grades (1), the tool: version, standards, questions, descriptors (4), and the answers,
    # action plans and evidence (3): a fixed cost, never a query per standard
    assert len(sheets) == 12 and len(seen) == 8, seen
    [plan] = [line.action for line in sheets[0].lines if line.action]
    assert plan is not None and plan.what == "Train the trustees"
    assert sheets[0].evidence == "Board minutes" and sheets[1].evidence == ""
    assert [line.question.code for line in sheets[0].lines] == ["1.1", "1.2", "1.3", "1.4"]
    assert sheets[0].lines[3].answer is None  # not answered, still listed
