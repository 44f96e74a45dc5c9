"""Visits that actually happen: no visit in the past, no outcome before the day, an "Outcome
overdue" flag, upcoming and completed apart, and "draw the sample" only when it can be drawn."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Visit
from portal.services import moderation
from portal.services.common import ServiceError
from tests.support import factories, page_text, sign_in, url_for
from tests.support.moderation_factories import (
    AFTER_DEADLINE,
    DEADLINE,
    VISIT_LINKS,
    cycle_with_returns,
    members,
    record_every_standard,
)


def _visits(db: Session) -> list[Visit]:
    cycle, _ = cycle_with_returns(db, {"Health": 20})
    members(db, ["Alex Board", "Bea Carter"])
    manager = factories.user(db, name="Pat Manager", email="pat@partnership.example.org")
    sample = moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=5, now=AFTER_DEADLINE,
                                    user_id=None)
    return moderation.plan_visits(db, sample=sample, manager_id=manager.id, now=AFTER_DEADLINE)


def _finding(db: Session, visit: Visit) -> None:
    record_every_standard(db, visit)


def test_a_visit_cannot_be_scheduled_in_the_past(app: Flask, db: Session, tool: object) -> None:
    visit = _visits(db)[0]
    with pytest.raises(ServiceError, match="The visit date must be in the future"):
        moderation.schedule_visit(db, visit, starts_at=datetime(2018, 2, 28, 10), place="Hall",
                                  now=AFTER_DEADLINE, links=VISIT_LINKS)
    assert visit.status == "planned" and visit.starts_at is None


def test_a_visit_cannot_be_completed_before_its_day_and_is_flagged_when_its_day_passes(
    app: Flask, db: Session, tool: object
) -> None:
    visit = _visits(db)[0]
    moderation.schedule_visit(db, visit, starts_at=datetime(2018, 3, 12, 10), place="Hall",
                              now=AFTER_DEADLINE, links=VISIT_LINKS)
    _finding(db, visit)
    with pytest.raises(ServiceError, match="from the day of the visit, 12 March 2018"):
        moderation.complete_visit(db, visit, outcome="Done", now=datetime(2018, 3, 11, 17),
                                  user_id=None)
    assert visit.status == "scheduled"
    # Monday 12 March: the outcome is due 5 working days later, Monday 19 March.
    assert moderation.outcome_due(visit) == date(2018, 3, 19)
    assert moderation.visit_flag(visit, now=datetime(2018, 3, 19, 18)) is None
    assert moderation.visit_flag(visit, now=datetime(2018, 3, 20, 9)) == "Outcome overdue"
    assert moderation.overdue_outcomes(db, now=datetime(2018, 3, 20, 9)) == 1
    assert moderation.overdue_outcomes(db, now=datetime(2018, 3, 19, 23)) == 0
    # With no working days allowed, the day after the visit.
    assert moderation.visit_flag(visit, now=datetime(2018, 3, 13, 9), working_days=0) == (
        "Outcome overdue")
    assert moderation.overdue_outcomes(db, now=datetime(2018, 3, 13, 9), working_days=0) == 1

    moderation.complete_visit(db, visit, outcome="Done", now=datetime(2018, 3, 12, 15),
                              user_id=None)
    assert visit.status == "completed"
    assert moderation.visit_flag(visit, now=datetime(2018, 3, 20, 9)) is None
    assert moderation.overdue_outcomes(db, now=datetime(2018, 3, 20, 9)) == 0


@pytest.mark.parametrize(("working_days", "due"), [(5, date(2018, 4, 5)), (1, date(2018, 3, 28)),
                                                   (2, date(2018, 3, 29)), (3, date(2018, 4, 3))])
def test_outcome_overdue_counts_working_days_past_weekends_and_bank_holidays(
    app: Flask, db: Session, tool: object, working_days: int, due: date
) -> None:
    """Tuesday 27 March 2018: Good Friday (30 March) and Easter Monday (2 April) do not count.
    The page's flag and the manager's SQL count agree on the last day and the day after."""
    visit = _visits(db)[0]
    moderation.schedule_visit(db, visit, starts_at=datetime(2018, 3, 27, 10), place="Hall",
                              now=AFTER_DEADLINE, links=VISIT_LINKS)
    assert moderation.outcome_due(visit, working_days=working_days) == due
    last_evening = datetime.combine(due, datetime.min.time()).replace(hour=22)  # 23:00 BST
    next_morning = datetime.combine(due + timedelta(days=1), datetime.min.time()).replace(hour=6)
    for moment, overdue in ((last_evening, False), (next_morning, True)):
        assert moderation.outcome_overdue(visit, now=moment, working_days=working_days) is overdue
        assert moderation.overdue_outcomes(db, now=moment,
                                           working_days=working_days) == int(overdue)


def test_the_sample_is_offered_only_once_it_can_be_drawn(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    cycle, _ = cycle_with_returns(db, {"Health": 5}, label="2030-31", deadline=date(2031, 1, 31))
    manager = factories.user(db, name="Pat Manager", email="pat@partnership.example.org")
    db.commit()
    assert moderation.when_drawable(db, cycle, now=datetime(2031, 1, 31, 12)) == (
        "You can draw the sample from 1 February 2031, the day after the deadline")
    assert moderation.when_drawable(db, cycle, now=datetime(2031, 2, 1, 9)) is None
    sign_in(client, manager)
    page = client.get(url_for(app, "moderation_admin.cycle", label="2030-31")).get_data(as_text=True)
    assert "You can draw the sample from 1 February 2031" in page
    assert "Draw the sample</a>" not in page
    draw = client.get(url_for(app, "moderation_admin.draw", label="2030-31")).get_data(as_text=True)
    assert "<form" not in draw.split("<main")[1]
    assert DEADLINE  # the factories' other cycle is unaffected


def test_the_member_sees_upcoming_and_completed_visits_apart(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    first, second = _visits(db)[:2]
    for visit in (first, second):
        visit.member_id = first.member_id
        visit.status, visit.starts_at = "scheduled", datetime(2018, 3, 12, 10)
    _finding(db, first)
    moderation.complete_visit(db, first, outcome="Done", now=datetime(2018, 3, 12, 15),
                              user_id=None)
    db.commit()
    assert first.member is not None
    sign_in(client, first.member)
    page = client.get(url_for(app, "moderation.home")).get_data(as_text=True)
    upcoming, completed = page.split('id="upcoming"')[1].split('id="completed"')
    assert second.return_.agency.name in upcoming and "Outcome overdue" in upcoming
    assert first.return_.agency.name in completed
    assert first.return_.agency.name not in upcoming
    visit_page = page_text(client.get(url_for(app, "moderation.visit", visit_id=second.id)))
    assert "Outcome overdue" in visit_page
