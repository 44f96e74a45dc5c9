"""Nothing typed is lost when the session times out: the save is kept and put back after sign-in."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Evidence, Role
from tests import factories
from tests.conftest import sign_in
from tests.integration.returns_helpers import (
    answers_form,
    codes_by_standard,
    issue,
    post_standard,
    return_of,
    text_of,
)
from tests.support import submit_form


@pytest.fixture
def signed_in(client: FlaskClient, db: Session, tool: Any) -> tuple[Any, str, list[str]]:
    agency = factories.agency(db, "Brookside Food Bank", variant="full")
    user = factories.user(db, Role.AGENCY, agency=agency)
    return_ = return_of(db, agency, issue(db))
    db.commit()
    sign_in(client, user)
    return user, f"/agency/returns/{return_.id}/standards/1", codes_by_standard(tool, "short")["1"]


def expire_session(client: FlaskClient) -> None:
    client.delete_cookie("session")


def test_a_save_after_the_session_expired_is_put_back_after_signing_in(
    client: FlaskClient, db: Session, signed_in: tuple[Any, str, list[str]]
) -> None:
    user, url, codes = signed_in
    page = client.get(url).get_data(as_text=True)
    expire_session(client)

    response = post_standard(client, url, answers_form(codes, "good", "Typed before timeout"),
                             page_html=page)

    assert response.status_code == 302
    sign_in_url = response.headers["Location"]
    assert sign_in_url.startswith("/sign-in?next=")
    next_url = unquote(sign_in_url.split("next=", 1)[1])
    assert next_url.startswith(url + "?restore=")
    signed = submit_form(client, sign_in_url, {"email": user.email,
                                               "password": factories.PASSWORD})
    assert signed.headers["Location"] == next_url
    restored = client.get(next_url)
    assert "We kept what you entered" in text_of(restored)
    html = restored.get_data(as_text=True)
    assert "Typed before timeout</textarea>" in html
    assert html.count('value="good" checked') == len(codes)

    saved = post_standard(client, url, answers_form(codes, "good", "Typed before timeout"),
                          page_html=html)
    assert saved.status_code == 302
    assert db.scalars(select(Evidence.text)).all() == ["Typed before timeout"]
    assert "We kept" not in text_of(client.get(next_url))  # kept once, then forgotten


def test_kept_input_is_only_put_back_in_the_browser_that_posted_it(
    app: Flask, client: FlaskClient, db: Session, signed_in: tuple[Any, str, list[str]]
) -> None:
    user, url, codes = signed_in
    page = client.get(url).get_data(as_text=True)
    expire_session(client)
    response = post_standard(client, url, answers_form(codes, "good", "Private draft"),
                             page_html=page)
    next_url = unquote(response.headers["Location"].split("next=", 1)[1])
    other = app.test_client()
    sign_in(other, user)
    assert "Private draft" not in other.get(next_url).get_data(as_text=True)


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
    assert client.get("/agency/session").status_code == 204
