"""Edges of the web service (issue 24): forgotten-password timing, the finding/completion race,
what /healthz tells strangers, forwarded hosts, and the size of reflected redirects."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import ConfigError, load_settings
from portal import create_app
from portal.db import get_db
from portal.models import (
    AuditEvent,
    Finding,
    MailPause,
    OutboxMessage,
    Role,
    Standard,
    Visit,
    utcnow,
)
from portal.services import mail, moderation
from portal.services.common import ServiceError
from portal.services.mail import Email
from tests.support import csrf_from, factories, page_text, sign_in, statements, url_for
from tests.support.moderation_factories import (
    AFTER_DEADLINE,
    cycle_with_returns,
    members,
    record_every_standard,
)

VISIT_DAY = datetime(2018, 3, 12, 10)


def test_forgot_password_does_the_same_work_for_an_unknown_address_as_for_a_real_one(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    """The time taken must say nothing, so both answers run the same statements in the same
    order: the throttle, the lookup, the email put in the outbox (the stand-in's taken out
    again) and the audit event. Proved by the statements, not by a clock (sign-in keeps the
    one timed ratio test)."""
    users = [factories.user(db, Role.MANAGER, password=None) for _ in range(3)]
    db.commit()
    token = csrf_from(client.get(url_for(app, "auth.forgot_password")).get_data(as_text=True))
    engine = get_db(app).engine

    def ask(email: str) -> list[str]:
        with statements(engine) as seen:
            response = client.post(url_for(app, "auth.forgot_password"),
                                   data={"csrf_token": token, "email": email})
        assert response.status_code == 200
        assert "Check your email" in page_text(response)
        return [" ".join(s.split()[:3]) for s in seen]  # the verb and the table

    known = [ask(user.email) for user in users]
    unknown = [ask(f"nobody-{n}@example.org") for n in range(3)]
    assert known[0] == known[1] == known[2] and unknown[0] == unknown[1] == unknown[2]
    assert unknown[0] == known[0]
    assert "INSERT INTO outbox_messages" in known[0] and "INSERT INTO audit_events" in known[0]
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 3  # known only
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "user.reset_unknown")) == 3


def _visits_ready_to_complete(db: Session) -> tuple[list[int], int]:
    """Scheduled visits whose day has come, each with a finding for every standard (so each can
    be completed): (visit ids, the first standard's id)."""
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
        record_every_standard(db, visit)
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
        finding = db.scalar(select(Finding).where(Finding.visit_id == visit_id,
                                                  Finding.standard_id == standard_id))
        assert finding is not None
        assert (finding.moderated_grade == "inadequate") == ("finding.recorded" in events)


RELAY_ERROR = "mail-relay.internal.example:2525 refused the connection: 530 Authentication required"


def test_healthz_tells_a_stranger_only_ok_or_failing_and_a_manager_the_details(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    db.add(MailPause(reason=RELAY_ERROR, since=utcnow() - timedelta(hours=2)))
    mail.queue_email(db, Email(to="a@example.org", subject="S", text="T"), kind="t",
                     now=utcnow() - timedelta(hours=2))
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    calm, strict = client.get(url_for(app, "healthz")), client.get(url_for(app, "healthz_outbox"))
    assert (calm.status_code, calm.get_json()) == (200, {"status": "ok"})
    assert (strict.status_code, strict.get_json()) == (503, {"status": "failing"})
    assert "mail-relay" not in calm.get_data(as_text=True) + strict.get_data(as_text=True)
    sign_in(client, manager)
    details = client.get(url_for(app, "healthz_outbox")).get_json()
    assert details["status"] == "failing" and details["delivery_paused"] == RELAY_ERROR
    assert details["outbox"] == "stale" and details["oldest_waiting_minutes"] >= 119
    home = client.get(url_for(app, "manager.home")).get_data(as_text=True)
    assert "mail-relay.internal.example:2525" in home


def _app_behind_a_proxy(app: Flask, **settings: Any) -> Flask:
    return create_app("testing", DATABASE_URL=app.config["DATABASE_URL"], TRUSTED_PROXIES=1,
                      FORCE_HTTPS=True, SECRET_KEY="test-secret-key-that-is-long-enough-to-use",
                      **settings)


def test_a_clients_forwarded_host_does_not_choose_where_the_https_redirect_goes(
    app: Flask
) -> None:
    client = _app_behind_a_proxy(app).test_client()
    response = client.get(url_for(app, "auth.sign_in"), headers={"X-Forwarded-Proto": "http",
                                               "X-Forwarded-Host": "evil.example"})
    assert response.status_code in (301, 302)
    assert response.headers["Location"].startswith("https://localhost/sign-in")


def test_with_trusted_hosts_a_forwarded_host_is_believed_only_when_it_is_one_of_them(
    app: Flask
) -> None:
    client = _app_behind_a_proxy(app, TRUSTED_HOSTS=["portal.test"]).test_client()
    ours = client.get(url_for(app, "auth.sign_in"), headers={"X-Forwarded-Proto": "http",
                                           "X-Forwarded-Host": "portal.test"})
    assert ours.headers["Location"].startswith("https://portal.test/sign-in")
    theirs = client.get(url_for(app, "auth.sign_in"), headers={"X-Forwarded-Proto": "http",
                                             "X-Forwarded-Host": "evil.example"})
    assert theirs.status_code == 400 and "Location" not in theirs.headers


def test_production_answers_only_its_own_host(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {"SECRET_KEY": "s" * 40, "DATABASE_URL": app.config["DATABASE_URL"],
                        "RATELIMIT_SINGLE_PROCESS": "true",
                        "PORTAL_BASE_URL": "https://audit.anyshire.example"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    client = create_app("production").test_client()
    assert client.get(url_for(app, "healthz"), base_url="https://audit.anyshire.example").status_code == 200
    assert client.get(url_for(app, "healthz"), base_url="https://evil.example").status_code == 400
    monkeypatch.setenv("TRUSTED_HOSTS", "audit.anyshire.example, .internal.example")
    also = create_app("production").test_client()
    assert also.get(url_for(app, "healthz"), base_url="https://lb.internal.example").status_code == 200


@pytest.mark.no_database
@pytest.mark.parametrize("hosts", ["https://audit.example.org", "audit.example.org/path",
                                   "audit.example.org:443", "audit example"])
def test_trusted_hosts_must_be_host_names(hosts: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_HOSTS", hosts)
    with pytest.raises(ConfigError, match="TRUSTED_HOSTS must be host names"):
        load_settings("testing")


HUGE = "x" * 120_000


def test_a_huge_query_value_is_not_reflected_into_the_sign_in_redirect(
    client: FlaskClient
) -> None:
    response = client.get(f"/manager/?filter={HUGE}&page=2")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/sign-in") and len(location) < 4096
    assert HUGE[:3000] not in location


def test_a_huge_query_value_is_not_reflected_into_the_https_redirect(app: Flask) -> None:
    client = _app_behind_a_proxy(app).test_client()
    response = client.get(f"/sign-in?next={HUGE}&keep=1", headers={"X-Forwarded-Proto": "http"})
    assert response.status_code in (301, 302)
    assert response.headers["Location"] == "https://localhost/sign-in?keep=1"
