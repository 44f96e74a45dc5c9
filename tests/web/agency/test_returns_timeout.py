"""A timed-out save and the cross-site post that abused it: nothing is kept on the server.

What the user typed before a timeout is kept in their own browser tab (keep-input.js, tested in
tests/browser/test_kept_input.py); the server only sends a signed-out post to the sign-in page."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Answer, Base, Evidence, Role
from tests.support import factories, page, sign_in, url_for, visible_text
from tests.support.returns_helpers import (
    answers_form,
    codes_by_standard,
    issue,
    post_standard,
    return_of,
)


@pytest.fixture
def signed_in(app: Flask, client: FlaskClient, db: Session, tool: Any) -> tuple[Any, str, list[str]]:
    agency = factories.agency(db, "Brookside Food Bank", variant="full")
    user = factories.user(db, Role.AGENCY, agency=agency)
    return_ = return_of(db, agency, issue(db))
    db.commit()
    sign_in(client, user)
    return user, url_for(app, "agency.standard", return_id=return_.id,
                         code="1"), codes_by_standard(tool, "short")["1"]


def row_counts(db: Session) -> dict[str, int]:
    db.rollback()
    return {t.name: db.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables}


def test_a_cross_site_post_cannot_plant_answers_for_the_victim_to_save(
    app: Flask, client: FlaskClient, db: Session, signed_in: tuple[Any, str, list[str]]
) -> None:
    """The reported attack: the victim's cookie is dropped (SameSite=Lax), so the post is anonymous."""
    _, url, codes = signed_in
    before = row_counts(db)
    attacker = app.test_client()  # no cookie, no token: what a cross-site auto-post looks like
    response = attacker.post(url, data=answers_form(codes, "inadequate", "Planted by attacker"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for(app, "auth.sign_in"))
    assert "restore" not in unquote(response.headers["Location"])
    assert "Set-Cookie" not in response.headers  # the victim's session is left alone
    assert row_counts(db) == before  # nothing stored
    page = client.get(url)  # the victim is still signed in, and sees their own (empty) page
    assert page.status_code == 200
    assert "Planted by attacker" not in page.get_data(as_text=True)
    assert 'value="inadequate" checked' not in page.get_data(as_text=True)


def test_a_signed_in_post_without_the_form_token_is_refused_and_saves_nothing(
    client: FlaskClient, db: Session, signed_in: tuple[Any, str, list[str]]
) -> None:
    _, url, codes = signed_in
    page = client.get(url).get_data(as_text=True)
    forged = {"action": "later", **answers_form(codes, "inadequate", "Forged")}
    response = client.post(url, data=forged)
    assert response.status_code == 400
    assert "Forged" not in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Answer)) == 0
    saved = post_standard(client, url, answers_form(codes, "good", "Real"), page_html=page)
    assert saved.status_code == 302
    assert db.scalars(select(Evidence.text)).all() == ["Real"]


def test_anonymous_posts_to_any_path_store_nothing(
    app: Flask, db: Session, signed_in: tuple[Any, str, list[str]]
) -> None:
    before = row_counts(db)
    anonymous = app.test_client()
    big = {f"field{i}": "x" * 10_000 for i in range(20)}
    for n in range(22):
        response = anonymous.post(url_for(app, "agency.standard", return_id=900000 + n, code="1"), data=big)
        assert response.status_code == 302
    check = anonymous.post(url_for(app, "agency.check", return_id=1), data={"name": "x"})
    assert check.status_code == 302
    assert row_counts(db) == before


def test_a_timed_out_save_sends_the_user_to_sign_in_and_back_to_the_same_page(
    app: Flask, client: FlaskClient, db: Session, signed_in: tuple[Any, str, list[str]]
) -> None:
    user, url, codes = signed_in
    page = client.get(url).get_data(as_text=True)
    assert 'data-app-keep-input="restore"' in page and "keep-input.js" in page
    client.delete_cookie("__Host-session" if app.config.get("SESSION_COOKIE_NAME", "").startswith(
        "__Host-") else app.config.get("SESSION_COOKIE_NAME", "session"))
    response = post_standard(client, url, answers_form(codes), page_html=page)
    assert response.status_code == 302
    next_url = unquote(response.headers["Location"].split("next=", 1)[1])
    assert next_url == url
    sign_in(client, user)
    assert 'data-app-keep-input="restore"' in client.get(next_url).get_data(as_text=True)


def test_the_session_lasts_the_configured_minutes_and_pages_warn_before_it_ends(
    app: Flask, client: FlaskClient, signed_in: tuple[Any, str, list[str]]
) -> None:
    _, url, _ = signed_in
    assert app.permanent_session_lifetime.total_seconds() == 30 * 60
    response = client.get(url)
    assert "Expires=" in response.headers.get("Set-Cookie", "")
    html = response.get_data(as_text=True)
    assert 'id="app-session-timeout"' in html and 'data-minutes="30"' in html
    assert "session-timeout.js" in html
    assert client.get(url_for(app, "agency.keep_alive")).status_code == 204


def test_a_sign_in_post_without_its_token_gets_the_expired_form_page(app: Flask, client: FlaskClient) -> None:
    response = client.post(url_for(app, "auth.sign_in"), data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    shown = page(response)
    assert shown.select_one("h1").get_text(strip=True) == "Your page expired"
    assert "Go back, reload the page and try again" in visible_text(shown.select_one("main"))
