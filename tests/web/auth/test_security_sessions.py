"""Sessions as records, sign-out, open redirects, passwords, user enumeration, throttles (issue 11)."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Role, UserSession, utcnow
from portal.services.accounts import password_problem
from tests.conftest import Mailbox, sign_in
from tests.support import csrf_from, factories, submit_form


def _cookie(client: FlaskClient, app: Flask) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def test_a_cookie_saved_before_sign_out_gets_the_sign_in_page_afterwards(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    saved = _cookie(client, app)
    submit_form(client, "/sign-out", {})
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], saved)
    response = replay.get("/manager/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert db.scalar(select(UserSession.revoked_at)) is not None


def test_sign_out_by_get_only_shows_the_button(client: FlaskClient, db: Session) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    page = client.get("/sign-out")
    assert page.status_code == 200 and "This browser" in page.get_data(as_text=True)
    assert client.get("/manager/").status_code == 200  # still signed in


def test_a_session_ends_after_its_absolute_lifetime_even_when_active(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    assert client.get("/manager/").status_code == 200
    db.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    refused = client.get("/manager/")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/sign-in")
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 12


def test_a_session_idle_past_the_timeout_is_refused_by_the_server(
    client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    db.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.commit()
    refused = client.get("/manager/")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/sign-in")
    assert client.get("/manager/").headers["Location"].startswith("/sign-in")  # ended for good


def test_a_user_sees_their_sessions_and_ends_another_one(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.AGENCY, agency=factories.agency(db, "Oak School"))
    db.commit()
    laptop, phone = app.test_client(), client
    sign_in(laptop, user)
    sign_in(phone, user)
    page = phone.get("/sign-out").get_data(as_text=True)
    assert page.count("Sign out this session") == 1  # the other one; this browser signs out above
    ids = [r.id for r in db.scalars(select(UserSession).order_by(UserSession.id))]
    response = phone.post(f"/sessions/{ids[0]}/end", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert laptop.get("/agency/").status_code == 302  # ended
    assert phone.get("/agency/").status_code == 200
    # Someone else's session id is not theirs to end.
    other = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(laptop, other)
    theirs = db.scalar(select(UserSession.id).where(UserSession.user_id == other.id))
    phone.post(f"/sessions/{theirs}/end", data={"csrf_token": csrf_from(page)})
    assert laptop.get("/manager/").status_code == 200


def test_sign_in_regenerates_the_session_and_the_csrf_token(
    client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    before = csrf_from(client.get("/sign-in").get_data(as_text=True))
    sign_in(client, user)
    after = csrf_from(client.get("/manager/users/new").get_data(as_text=True))
    assert before != after
    stale = client.post("/manager/users/new", data={"csrf_token": before, "email": "x@example.org",
                                                    "role": "manager", "name": "X"})
    assert stale.status_code == 400


@pytest.mark.parametrize("target", ["/\t/evil.example/phish", "/\\evil.example", "//evil.example",
                                    "https://evil.example/", "/\r\nSet-Cookie:x=1",
                                    "/\nLocation:x", "javascript:alert(1)"])
def test_sign_in_follows_only_same_site_next_paths(
    client: FlaskClient, db: Session, target: str
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    page = client.get("/sign-in")
    response = client.post("/sign-in", query_string={"next": target}, data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "email": user.email,
        "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_same_site_next_path_is_followed(client: FlaskClient, db: Session) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    response = submit_form(client, "/sign-in?next=/manager/users", {
        "email": user.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/manager/users"


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "password1234", "qwertyuiop123",
                                      "dee@hillside.example.org"])
def test_guessable_passwords_are_refused_with_advice(password: str) -> None:
    problem = password_problem(password, password, user_inputs=["dee@hillside.example.org"])
    assert problem is not None and problem.startswith("Choose a password that is harder to guess")


def test_a_strong_password_needs_no_composition_rules() -> None:
    assert password_problem("purple walrus kettle drum", "purple walrus kettle drum") is None


def test_the_set_password_page_refuses_a_repeated_character_password_and_is_not_stored(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    user = factories.user(db, Role.MANAGER, password=None)
    db.commit()
    submit_form(client, "/forgot-password", {"email": user.email})
    body = mailbox.to(user.email)[-1].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://portal\.test(/set-password/\S+)", body).group(1)  # type: ignore[union-attr]
    response = submit_form(client, link, {"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"})
    assert response.status_code == 400
    assert "harder to guess" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get(link).headers["Cache-Control"] == "no-store"


def test_a_wrong_password_takes_as_long_for_an_unknown_account_as_for_a_real_one(
    client: FlaskClient, db: Session
) -> None:
    users = [factories.user(db, Role.MANAGER) for _ in range(3)]
    db.commit()
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))

    def attempt(email: str) -> float:
        started = time.perf_counter()
        client.post("/sign-in", data={"csrf_token": token, "email": email,
                                      "password": "not the password"})
        return time.perf_counter() - started

    known, unknown = [], []
    for round_ in range(3):  # 3 attempts per address: under the per-account limit of 5
        for n, user in enumerate(users):
            known.append(attempt(user.email))
            unknown.append(attempt(f"nobody{round_}-{n}@example.org"))
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 1 / 1.5 <= ratio <= 1.5, (statistics.median(known), statistics.median(unknown))


def test_an_account_is_throttled_after_repeated_wrong_passwords_even_with_the_right_one(
    client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    statuses = [client.post("/sign-in", data={"csrf_token": token, "email": user.email,
                                              "password": f"wrong {n}"}).status_code
                for n in range(8)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3
    right = client.post("/sign-in", data={"csrf_token": token, "email": user.email,
                                          "password": factories.PASSWORD})
    assert right.status_code == 429
    assert "too many times" in right.get_data(as_text=True)
    # An unknown address gets exactly the same treatment: nothing to tell them apart.
    unknown = [client.post("/sign-in", data={"csrf_token": token, "email": "ghost@example.org",
                                             "password": "x"}).status_code for _ in range(6)]
    assert unknown == [200] * 5 + [429]


def test_reset_links_are_limited_per_account_whatever_the_address_asking(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    for _ in range(6):
        submit_form(app.test_client(), "/forgot-password", {"email": user.email})
    assert len(mailbox.to(user.email)) == 3


def test_the_audit_log_records_the_client_behind_a_trusted_proxy(
    database_url: str, db: Session
) -> None:
    from portal import create_app

    proxied = create_app("testing", DATABASE_URL=database_url, TRUSTED_PROXIES=1,
                         SECRET_KEY="test-secret-key-that-is-long-enough-to-use")
    client = proxied.test_client()
    page = client.get("/sign-in")
    client.post("/sign-in", headers={"X-Forwarded-For": "203.0.113.9"}, data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "email": "a@example.org",
        "password": "x"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert db.scalar(select(AuditEvent.ip_address)) == "203.0.113.9"


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "base-uri 'none'" in csp and "object-src 'none'" in csp
    assert "Server" not in response.headers


def test_long_ended_sessions_and_stale_attempt_counts_are_forgotten(
    client: FlaskClient, db: Session
) -> None:
    from portal.models import Throttle

    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    db.execute(update(UserSession).values(expires_at=utcnow() - timedelta(days=31)))
    db.add(Throttle(key="x" * 64, failures=3, window_started_at=utcnow() - timedelta(days=2)))
    db.commit()
    submit_form(client, "/forgot-password", {"email": "someone@example.org"})  # counts an attempt
    other = client.application.test_client()
    sign_in(other, user)  # a new sign-in clears sessions that ended over 30 days ago
    assert other.get("/manager/").status_code == 200
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(UserSession)) == 1
    assert db.scalar(select(Throttle.id).where(Throttle.key == "x" * 64)) is None
