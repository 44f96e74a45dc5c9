"""The year at a glance keeps a cycle in view after it closes, until its visits are complete, its
Chair meetings held and its report published, and counts each figure in SQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    CycleStatus,
    Escalation,
    InformationRequest,
    PublishedReport,
    Recommendation,
    RequestRecipient,
    Return,
    ReturnStatus,
    Visit,
    VisitStatus,
)
from portal.services import overview
from tests.support import register_agencies, statements
from tests.support.moderation_factories import drawn

MARCH_31 = datetime(2018, 3, 31, 9)


def _closed_with_visits(db: Session, agencies: int = 30) -> tuple[Any, list[Visit]]:
    """Cycle 2017-18 closed, its sample drawn, three visits held in mid-March with no outcome
    (more than VISIT_OUTCOME_WORKING_DAYS, 5, working days before 31 March)."""
    visits, _manager = drawn(db, {"Health": agencies - agencies // 3, "Statutory": agencies // 3})
    cycle = visits[0].sample.cycle
    cycle.status, cycle.closed_at = CycleStatus.CLOSED.value, datetime(2018, 3, 2, 9)
    for day, visit in enumerate(visits[:3], start=12):
        visit.status, visit.starts_at = VisitStatus.SCHEDULED.value, datetime(2018, 3, day, 10)
    db.commit()
    return cycle, visits


def test_a_closed_cycle_shows_its_overdue_outcomes_on_31_march(db: Session, tool: Any) -> None:
    cycle, visits = _closed_with_visits(db)
    [glance] = overview.year_at_a_glance(db, now=MARCH_31).cycles
    assert glance.cycle.id == cycle.id and not glance.is_open
    assert (glance.sample_drawn, glance.outcomes_overdue, glance.visits_open) == (True, 3, len(visits))
    assert glance.next_step == "outcomes"


def test_a_closed_cycle_leaves_the_glance_once_everything_is_done(db: Session, tool: Any) -> None:
    cycle, visits = _closed_with_visits(db)
    db.add(Escalation(cycle_id=cycle.id, return_id=visits[0].return_id,
                      agency_id=visits[0].return_.agency_id, chair_meeting_required=True))
    db.commit()
    for visit in visits:
        visit.status = VisitStatus.COMPLETED.value
    db.commit()
    [glance] = overview.year_at_a_glance(db, now=MARCH_31).cycles
    assert (glance.outcomes_overdue, glance.chair_meetings, glance.next_step) == (0, 1, "chair")
    db.query(Escalation).update({"chair_meeting_on": date(2018, 4, 2)})
    db.commit()
    [glance] = overview.year_at_a_glance(db, now=MARCH_31).cycles
    assert glance.next_step == "publish" and not glance.published
    db.add(PublishedReport(cycle_id=cycle.id, version=1, content="{}"))
    db.commit()
    assert overview.year_at_a_glance(db, now=MARCH_31).cycles == []


def test_recommendations_past_due_and_open_requests_are_counted(db: Session, tool: Any) -> None:
    cycle, visits = _closed_with_visits(db)
    for due in (date(2018, 3, 1), date(2018, 3, 30), date(2018, 5, 1)):
        db.add(Recommendation(cycle_id=cycle.id, text="Train staff", owner_kind="committee",
                              owner_name="MESC", due_on=due))
    for deadline, answered in ((date(2018, 4, 30), None), (date(2018, 4, 30), MARCH_31),
                               (date(2018, 3, 1), None)):
        request = InformationRequest(title="Training", signatory="Pat", deadline=deadline,
                                     audience="all")
        request.recipients = [RequestRecipient(agency_id=visits[0].return_.agency_id,
                                               answered_at=answered)]
        db.add(request)
    db.commit()
    year = overview.year_at_a_glance(db, now=MARCH_31)
    assert year.cycles[0].recommendations_overdue == 2
    assert year.requests_open == 1


def test_the_glance_costs_the_same_queries_whatever_the_number_of_agencies(
    db: Session, tool: Any
) -> None:
    cycle, visits = _closed_with_visits(db)
    with statements(db.get_bind()) as few:
        small = overview.year_at_a_glance(db, now=MARCH_31)
    _more_agencies_returns_and_visits(db, cycle, visits[0].sample_id, agencies=300)
    with statements(db.get_bind()) as many:
        large = overview.year_at_a_glance(db, now=MARCH_31)
    assert large.cycles[0].submitted == small.cycles[0].submitted + 300
    assert large.cycles[0].visits_to_schedule == small.cycles[0].visits_to_schedule + 30
    assert len(many) == len(few)


def _more_agencies_returns_and_visits(db: Session, cycle: Any, sample_id: int, *,
                                      agencies: int) -> None:
    register_agencies(db, agencies, "B")
    ids = db.scalars(select(Agency.id).where(Agency.cohort == "B").order_by(Agency.id)).all()
    db.execute(insert(Return), [
        {"cycle_id": cycle.id, "agency_id": agency_id, "variant": "full",
         "status": ReturnStatus.SUBMITTED.value, "carried_over": False, "version": 1}
        for agency_id in ids])
    return_ids = db.scalars(select(Return.id).where(Return.agency_id.in_(ids))).all()
    db.execute(insert(Visit), [
        {"sample_id": sample_id, "return_id": return_id, "status": VisitStatus.PLANNED.value,
         "ics_uid": f"glance-{return_id}@portal.test", "ics_sequence": 0, "duration_minutes": 120}
        for return_id in return_ids[:agencies // 10]])
    db.commit()


def test_outcomes_are_overdue_only_after_the_configured_working_days(
        db: Session, tool: Any) -> None:
    _closed_with_visits(db)
    [patient] = overview.year_at_a_glance(db, now=MARCH_31, outcome_working_days=20).cycles
    [strict] = overview.year_at_a_glance(db, now=MARCH_31, outcome_working_days=1).cycles
    assert (patient.outcomes_overdue, strict.outcomes_overdue) == (0, 3)
