"""Edges of the web service (issue 24): forgotten-password timing, the finding/completion race,
what /healthz tells strangers, forwarded hosts, and the size of reflected redirects."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import AuditEvent, Finding, OutboxMessage, Role, Standard, Visit
from portal.services import moderation
from portal.services.common import ServiceError
from tests import factories
from tests.moderation_factories import AFTER_DEADLINE, cycle_with_returns, members
from tests.support import csrf_from

VISIT_DAY = datetime(2018, 3, 12, 10)


def test_forgot_password_takes_as_long_for_an_unknown_address_as_for_a_real_one(
    client: FlaskClient, db: Session
) -> None:
    """The one allowed timed comparison (like the sign-in one): medians of 100 of each."""
    users = [factories.user(db, Role.MANAGER, password=None) for _ in range(100)]
    db.commit()
    token = csrf_from(client.get("/forgot-password").get_data(as_text=True))

    def ask(email: str) -> float:
        started = time.perf_counter()
        response = client.post("/forgot-password", data={"csrf_token": token, "email": email})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        return elapsed

    for n in range(5):  # warm both paths (templates, statements) before measuring
        ask(f"warm-up-{n}@example.org")
    known, unknown = [], []
    for n, user in enumerate(users):  # interleaved, one request per address: under the throttle
        known.append(ask(user.email))
        unknown.append(ask(f"nobody-{n}@example.org"))
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.9 <= ratio <= 1.1, (ratio, statistics.median(known), statistics.median(unknown))
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 100  # known only
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "user.reset_unknown")) == 105


def _visits_ready_to_complete(db: Session) -> tuple[list[int], int]:
    """Scheduled visits whose day has come, each with one finding: (visit ids, standard id)."""
    cycle, _ = cycle_with_returns(db, {"Health": 20})
    members(db, ["Alex Board", "Bea Carter"])
    manager = factories.user(db, name="Pat Manager")
    sample = moderation.draw_sample(db, cycle=cycle, rate=0.2, seed=5, now=AFTER_DEADLINE,
                                    user_id=None)
    visits = moderation.plan_visits(db, sample=sample, manager_id=manager.id, now=AFTER_DEADLINE)
    standard_id = db.scalar(select(Standard.id).order_by(Standard.id).limit(1))
    assert standard_id is not None
    for visit in visits:
        visit.status, visit.starts_at = "scheduled", VISIT_DAY
        db.add(Finding(visit_id=visit.id, standard_id=standard_id, moderated_grade="good",
                       note="Seen", recorded_at=AFTER_DEADLINE))
    db.commit()
    return [v.id for v in visits], standard_id


def _at_once(app: Flask, visit_id: int, *actions: Callable[[Session, Visit], object]) -> None:
    """Each action in its own thread and session, on the visit as its page loaded it, released
    together by a barrier; a refusal rolls back, anything else commits."""
    ready = threading.Barrier(len(actions))
    failures: list[BaseException] = []

    def run(action: Callable[[Session, Visit], object]) -> None:
        with get_db(app).sessionmaker() as session:
            visit = moderation.get_visit(session, visit_id)
            ready.wait()
            try:
                action(session, visit)
                session.commit()
            except ServiceError:
                session.rollback()
            except BaseException as exc:  # shown by the assertion below
                failures.append(exc)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures


def test_a_finding_posted_with_the_outcome_never_lands_after_completion(
    app: Flask, db: Session, tool: object
) -> None:
    visit_ids, standard_id = _visits_ready_to_complete(db)
    assert len(visit_ids) >= 3

    def complete(session: Session, visit: Visit) -> object:
        return moderation.complete_visit(session, visit, outcome="Done",
                                         now=datetime(2018, 3, 12, 15), user_id=None)

    def regrade(session: Session, visit: Visit) -> object:
        return moderation.record_finding(session, visit, standard_id=standard_id,
                                         moderated_grade="inadequate", note="Changed",
                                         now=datetime(2018, 3, 12, 15), user_id=None)

    for visit_id in visit_ids:
        _at_once(app, visit_id, complete, regrade)
    db.expire_all()
    for visit_id in visit_ids:
        events = list(db.scalars(select(AuditEvent.action).where(
            AuditEvent.entity_type == "visit", AuditEvent.entity_id == visit_id)
            .order_by(AuditEvent.id)))
        assert "visit.completed" in events, events
        assert events[-1] == "visit.completed", events  # no finding recorded after it
        finding = db.scalar(select(Finding).where(Finding.visit_id == visit_id))
        assert finding is not None
        assert (finding.moderated_grade == "inadequate") == ("finding.recorded" in events)
