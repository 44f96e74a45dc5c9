"""`flask demo load --now`: one coherent story told at the date it is loaded, whatever the date.

Nothing has happened after `now` (submissions, emails sent, visits held, audit events), and each
demo role has something to do: member1@ a visit to come, voluntary@ a return under way, an
information request open, last year's visits half held, survey answers at and below the threshold.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    Answer,
    AuditEvent,
    Cycle,
    CycleStatus,
    Evidence,
    Finding,
    ModerationSample,
    OutboxMessage,
    Return,
    ReturnStatus,
    SurveyResponse,
    User,
    Visit,
    VisitStatus,
)
from portal.services import requests, survey
from portal.services.demo import DEMO_DOMAIN

# Early in the open cycle (December), and mid-year (a June Monday afternoon).
DATES = ["2026-12-03T09:00", "2027-06-14T15:30"]


def _load(app: Flask, now: str) -> datetime:
    result = app.test_cli_runner().invoke(args=["demo", "load", "--now", now])
    assert result.exit_code == 0, result.output
    return datetime.fromisoformat(now)


def _latest(db: Session, column: object) -> object:
    return db.scalar(select(func.max(column)))  # type: ignore[call-overload]


def _user(db: Session, local: str) -> User:
    user = db.scalar(select(User).where(User.email == f"{local}@{DEMO_DOMAIN}"))
    assert user is not None
    return user


def _cycles(db: Session) -> tuple[Cycle, Cycle]:
    closed = db.scalars(select(Cycle).where(Cycle.status == CycleStatus.CLOSED.value)
                        .order_by(Cycle.deadline.desc())).first()
    current = db.scalar(select(Cycle).where(Cycle.status == CycleStatus.OPEN.value))
    assert closed is not None and current is not None
    return closed, current


@pytest.mark.parametrize("now_text", DATES)
def test_nothing_in_the_demo_happened_after_now(app: Flask, db: Session, now_text: str) -> None:
    now = _load(app, now_text)
    activity = [Return.submitted_at, Return.last_activity_at, Answer.updated_at,
                Evidence.updated_at, OutboxMessage.created_at, OutboxMessage.sent_at,
                Visit.completed_at, Finding.recorded_at, AuditEvent.at, Cycle.opened_at,
                Cycle.closed_at, ModerationSample.drawn_at, User.created_at, Agency.created_at]
    for column in activity:
        latest = _latest(db, column)
        assert latest is not None, column
        assert latest <= now, f"{column} {latest} is after {now}"  # type: ignore[operator]
    assert _latest(db, SurveyResponse.answered_on) <= now.date()  # type: ignore[operator]
    held = db.scalars(select(Visit).where(Visit.status == VisitStatus.COMPLETED.value)).all()
    assert held and all(v.starts_at is not None and v.starts_at <= now for v in held)
    assert db.scalar(select(func.count()).select_from(OutboxMessage)
                     .where(OutboxMessage.sent_at.is_not(None))), "the story sent no email"
    closed, current = _cycles(db)
    assert current.opened_at is not None and current.opened_at <= now
    assert current.deadline > now.date() and closed.deadline < now.date()


@pytest.mark.parametrize("now_text", DATES)
def test_every_demo_role_has_something_to_do(app: Flask, db: Session, now_text: str) -> None:
    now = _load(app, now_text)
    closed, current = _cycles(db)
    member1 = _user(db, "member1")
    assert db.scalars(select(Visit).where(
        Visit.member_id == member1.id, Visit.status == VisitStatus.SCHEDULED.value,
        Visit.starts_at > now)).first() is not None, "member1@ has no visit to come"
    for local in ("voluntary", "agency"):
        return_ = db.scalar(select(Return).where(Return.cycle_id == current.id,
                                                 Return.agency_id == _user(db, local).agency_id))
        assert return_ is not None and return_.status == ReturnStatus.IN_PROGRESS.value, local
    assert requests.open_request_count(db, now=now) >= 1
    visits = db.scalars(select(Visit).join(ModerationSample).where(
        ModerationSample.cycle_id == closed.id)).all()
    held = [v for v in visits if v.status == VisitStatus.COMPLETED.value]
    to_come = [v for v in visits if v.status != VisitStatus.COMPLETED.value]
    assert held and to_come, "last year's visits are not half done"
    assert all(v.starts_at is None or v.starts_at > now for v in to_come)


@pytest.mark.parametrize("now_text", DATES[:1])
def test_survey_answers_are_at_and_below_the_threshold(app: Flask, db: Session,
                                                       now_text: str) -> None:
    _load(app, now_text)
    closed, _ = _cycles(db)
    minimum = int(app.config["SURVEY_MIN_RESPONSES"])
    results = survey.survey_results(db, closed,
                                    settings=survey.SurveySettings(min_responses=minimum))
    answered = [a for a in results.agencies if a.responses]
    shown = [a for a in answered if a.shown]
    assert [a.responses for a in shown] == [minimum]  # released at the close: figures shown
    assert shown[0].statements[0].total > 0
    too_few = [a for a in answered if not a.shown]
    assert too_few and all(0 < a.responses < minimum for a in too_few)


@pytest.mark.parametrize("now_text", DATES[:1])
def test_the_story_s_contacts_have_accounts(app: Flask, db: Session, now_text: str) -> None:
    _load(app, now_text)
    closed, current = _cycles(db)
    accounts = set(db.scalars(select(User.email)))
    visited = db.scalars(select(Agency).join(Return, Return.agency_id == Agency.id)
                         .join(Visit, Visit.return_id == Return.id)
                         .where(Return.cycle_id == closed.id)).all()
    issued = db.scalars(select(Agency).join(Return, Return.agency_id == Agency.id)
                        .where(Return.cycle_id == current.id)).all()
    for agency in [*visited, *issued]:
        assert agency.primary_contact is not None
        assert agency.primary_contact.email in accounts, agency.name
    school = _user(db, "agency").agency
    assert school is not None and school.primary_contact is not None
    assert school.primary_contact.email == f"agency@{DEMO_DOMAIN}"
