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
from tests.support import csrf_from, factories, page_text, sign_in, submit_form, url_for
from tests.support.mail import Mailbox


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
    submit_form(client, url_for(app, "auth.sign_out"), {})
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], saved)
    response = replay.get(url_for(app, "manager.home"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for(app, "auth.sign_in"))
    assert db.scalar(select(UserSession.revoked_at)) is not None


def test_sign_out_by_get_only_shows_the_button(app: Flask, client: FlaskClient, db: Session) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    page = client.get(url_for(app, "auth.sign_out"))
    assert page.status_code == 200 and "This browser" in page_text(page)
    assert client.get(url_for(app, "manager.home")).status_code == 200  # still signed in


def test_a_session_ends_after_its_absolute_lifetime_even_when_active(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    assert client.get(url_for(app, "manager.home")).status_code == 200
    db.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    refused = client.get(url_for(app, "manager.home"))
    assert refused.status_code == 302 and refused.headers["Location"].startswith(url_for(app, "auth.sign_in"))
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 12


def test_a_session_idle_past_the_timeout_is_refused_by_the_server(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    db.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.commit()
    refused = client.get(url_for(app, "manager.home"))
    assert refused.status_code == 302 and refused.headers["Location"].startswith(url_for(app, "auth.sign_in"))
    home = client.get(url_for(app, "manager.home"))
    assert home.headers["Location"].startswith(url_for(app, "auth.sign_in"))  # ended for good


def test_a_user_sees_their_sessions_and_ends_another_one(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.AGENCY, agency=factories.agency(db, "Oak School"))
    db.commit()
    laptop, phone = app.test_client(), client
    sign_in(laptop, user)
    sign_in(phone, user)
    page = phone.get(url_for(app, "auth.sign_out")).get_data(as_text=True)
    assert page.count("Sign out this session") == 1  # the other one; this browser signs out above
    ids = [r.id for r in db.scalars(select(UserSession).order_by(UserSession.id))]
    response = phone.post(url_for(app, "auth.end_session",
                                  session_id=ids[0]), data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert laptop.get(url_for(app, "agency.home")).status_code == 302  # ended
    assert phone.get(url_for(app, "agency.home")).status_code == 200
    # Someone else's session id is not theirs to end.
    other = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(laptop, other)
    theirs = db.scalar(select(UserSession.id).where(UserSession.user_id == other.id))
    phone.post(url_for(app, "auth.end_session", session_id=theirs), data={"csrf_token": csrf_from(page)})
    assert laptop.get(url_for(app, "manager.home")).status_code == 200


def test_sign_in_regenerates_the_session_and_the_csrf_token(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    before = csrf_from(client.get(url_for(app, "auth.sign_in")).get_data(as_text=True))
    sign_in(client, user)
    after = csrf_from(client.get(url_for(app, "manager.user_new")).get_data(as_text=True))
    assert before != after
    stale = client.post(url_for(app, "manager.user_new"), data={
        "csrf_token": before, "email": "x@example.org", "role": "manager", "name": "X"})
    assert stale.status_code == 400


@pytest.mark.parametrize("target", ["/\t/evil.example/phish", "/\\evil.example", "//evil.example",
                                    "https://evil.example/", "/\r\nSet-Cookie:x=1",
                                    "/\nLocation:x", "javascript:alert(1)"])
def test_sign_in_follows_only_same_site_next_paths(
    app: Flask, client: FlaskClient, db: Session, target: str
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    page = client.get(url_for(app, "auth.sign_in"))
    response = client.post(url_for(app, "auth.sign_in"), query_string={"next": target}, data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "email": user.email,
        "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_same_site_next_path_is_followed(app: Flask, client: FlaskClient, db: Session) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    response = submit_form(client, url_for(app, "auth.sign_in", next="/manager/users"), {
        "email": user.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == url_for(app, "manager.users")


@pytest.mark.no_database
@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "password1234", "qwertyuiop123",
                                      "dee@hillside.example.org"])
def test_guessable_passwords_are_refused_with_advice(password: str) -> None:
    problem = password_problem(password, password, user_inputs=["dee@hillside.example.org"])
    assert problem is not None and problem.startswith("Choose a password that is harder to guess")


@pytest.mark.no_database
def test_a_strong_password_needs_no_composition_rules() -> None:
    assert password_problem("purple walrus kettle drum", "purple walrus kettle drum") is None


def test_the_set_password_page_refuses_a_repeated_character_password_and_is_not_stored(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    user = factories.user(db, Role.MANAGER, password=None)
    db.commit()
    submit_form(client, url_for(app, "auth.forgot_password"), {"email": user.email})
    body = mailbox.to(user.email)[-1].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://portal\.test(/set-password/\S+)", body).group(1)  # type: ignore[union-attr]
    response = submit_form(client, link, {"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"})
    assert response.status_code == 400
    assert "harder to guess" in page_text(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get(link).headers["Cache-Control"] == "no-store"


@pytest.mark.usefixtures("production_password_cost")
def test_a_wrong_password_takes_as_long_for_an_unknown_account_as_for_a_real_one(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    users = [factories.user(db, Role.MANAGER, production_hash=True) for _ in range(3)]
    db.commit()
    token = csrf_from(client.get(url_for(app, "auth.sign_in")).get_data(as_text=True))

    def attempt(email: str) -> float:
        started = time.perf_counter()
        client.post(url_for(app, "auth.sign_in"), data={"csrf_token": token, "email": email,
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
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    token = csrf_from(client.get(url_for(app, "auth.sign_in")).get_data(as_text=True))
    statuses = [client.post(url_for(app, "auth.sign_in"), data={"csrf_token": token, "email": user.email,
                                              "password": f"wrong {n}"}).status_code
                for n in range(8)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3
    right = client.post(url_for(app, "auth.sign_in"), data={"csrf_token": token, "email": user.email,
                                          "password": factories.PASSWORD})
    assert right.status_code == 429
    assert "too many times" in page_text(right)
    # An unknown address gets exactly the same treatment: nothing to tell them apart.
    unknown = [client.post(url_for(app, "auth.sign_in"), data={
        "csrf_token": token, "email": "ghost@example.org", "password": "x"}).status_code for _ in range(6)]
    assert unknown == [200] * 5 + [429]


def test_reset_links_are_limited_per_account_whatever_the_address_asking(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    for _ in range(6):
        submit_form(app.test_client(), url_for(app, "auth.forgot_password"), {"email": user.email})
    assert len(mailbox.to(user.email)) == 3


def test_the_audit_log_records_the_client_behind_a_trusted_proxy(
    app: Flask, database_url: str, db: Session
) -> None:
    from portal import create_app

    proxied = create_app("testing", DATABASE_URL=database_url, TRUSTED_PROXIES=1,
                         SECRET_KEY="test-secret-key-that-is-long-enough-to-use")
    client = proxied.test_client()
    page = client.get(url_for(app, "auth.sign_in"))
    client.post(url_for(app, "auth.sign_in"), headers={"X-Forwarded-For": "203.0.113.9"}, data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "email": "a@example.org",
        "password": "x"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert db.scalar(select(AuditEvent.ip_address)) == "203.0.113.9"


def test_security_headers_on_every_page(app: Flask, client: FlaskClient) -> None:
    response = client.get(url_for(app, "auth.sign_in"))
    csp = response.headers["Content-Security-Policy"]
    assert "base-uri 'none'" in csp and "object-src 'none'" in csp
    assert "Server" not in response.headers


def test_long_ended_sessions_and_stale_attempt_counts_are_forgotten(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    from portal.models import Throttle

    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    db.execute(update(UserSession).values(expires_at=utcnow() - timedelta(days=31)))
    db.add(Throttle(key="x" * 64, failures=3, window_started_at=utcnow() - timedelta(days=2)))
    db.commit()
    # counts an attempt
    submit_form(client, url_for(app, "auth.forgot_password"), {"email": "someone@example.org"})
    other = client.application.test_client()
    sign_in(other, user)  # a new sign-in clears sessions that ended over 30 days ago
    assert other.get(url_for(app, "manager.home")).status_code == 200
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(UserSession)) == 1
    assert db.scalar(select(Throttle.id).where(Throttle.key == "x" * 64)) is None
