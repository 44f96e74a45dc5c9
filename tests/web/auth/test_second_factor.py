"""The second factor on the web (issue 29): the gate in front of every staff page, set-up with a
real authenticator code, replayed codes refused, recovery codes, re-authentication before
sensitive actions, and another manager's reset."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access import BEFORE_SECOND_FACTOR, ENROLMENT, access_of
from portal.models import OutboxMessage, Role, User
from tests.support import (
    factories,
    page_text,
    set_up_authenticator,
    sign_in,
    submit_form,
    url_for,
)
from tests.support import second_factor as factor


def _password_only(client: FlaskClient, user: User) -> None:
    response = submit_form(client, url_for(client.application, "auth.sign_in"),
                           {"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def _get_routes_for(app: Flask, role: str) -> list[str]:
    """Every GET page the role may use, its path arguments filled in (the gate acts first)."""
    paths = []
    for rule in app.url_map.iter_rules():
        access = access_of(app.view_functions[rule.endpoint]) or ""
        if rule.endpoint in BEFORE_SECOND_FACTOR | ENROLMENT:  # proving or setting up a factor
            continue
        if "GET" in (rule.methods or ()) and access.startswith("roles:") and role in access:
            paths.append(url_for(app, rule.endpoint, **{a: 1 for a in rule.arguments}))
    return paths


@pytest.mark.parametrize("role", [Role.MANAGER, Role.COMMITTEE, Role.MODERATOR])
def test_without_a_second_factor_no_staff_page_is_reached(
        app: Flask, client: FlaskClient, db: Session, role: Role) -> None:
    user = factories.user(db, role)
    db.commit()
    _password_only(client, user)
    pages = _get_routes_for(app, role.value)
    assert len(pages) > (40 if role is Role.MANAGER else 5)
    set_up = url_for(app, "security.set_up")
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith(set_up), path


def test_with_a_factor_not_yet_entered_every_manager_page_asks_for_it(
        app: Flask, client: FlaskClient, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    set_up_via(app, manager)
    _password_only(client, manager)
    asked = url_for(app, "auth.second_factor")
    for path in _get_routes_for(app, "manager"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith(asked), path
    for open_page in ("site.accessibility", "site.privacy", "site.cookies", "auth.sign_out"):
        assert client.get(url_for(app, open_page)).status_code == 200, open_page


def test_the_set_up_page_shows_a_qr_code_and_the_key_and_a_code_finishes_it(
        app: Flask, client: FlaskClient, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    _password_only(client, manager)
    shown = client.get(url_for(app, "security.set_up"))
    assert 'src="data:image/svg+xml' in shown.get_data(as_text=True)
    wrong = submit_form(client, url_for(app, "security.set_up"), {"code": "000000"})
    assert wrong.status_code == 400 and "There is a problem" in page_text(wrong)
    set_up_authenticator(client, manager.email)
    assert client.get(url_for(app, "manager.home")).status_code == 200
    assert "Authenticator app Set up" in page_text(client.get(url_for(app, "security.index")))


def test_a_replayed_code_is_refused(app: Flask, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    first, second = app.test_client(), app.test_client()
    sign_in(first, manager)
    _password_only(second, manager)
    code, _ = factor.next_code(manager.email)
    assert submit_form(second, url_for(app, "auth.second_factor"), {"code": code}
                       ).status_code == 302
    third = app.test_client()
    _password_only(third, manager)
    replayed = submit_form(third, url_for(app, "auth.second_factor"), {"code": code})
    assert replayed.status_code == 400
    assert "each code works once" in page_text(replayed)
    assert third.get(url_for(app, "manager.home")).status_code == 302


def test_a_recovery_code_signs_in_once(app: Flask, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    enrolment = set_up_via(app, manager)
    code = enrolment.recovery_codes.pop()
    used = _recovery(app, manager, code)
    assert used.status_code == 302
    again = _recovery(app, manager, code)
    assert again.status_code == 400 and "has been used" in page_text(again)


def set_up_via(app: Flask, user: User) -> factor.Enrolment:
    client = app.test_client()
    _password_only(client, user)
    return set_up_authenticator(client, user.email)


def _recovery(app: Flask, user: User, code: str) -> Any:
    client = app.test_client()
    _password_only(client, user)
    return submit_form(client, url_for(app, "auth.second_factor", method="recovery"),
                       {"code": code})


def test_agency_users_sign_in_with_the_password_alone(app: Flask, client: FlaskClient,
                                                      db: Session) -> None:
    user = factories.user(db, Role.AGENCY, agency=factories.agency(db))
    db.commit()
    _password_only(client, user)
    assert client.get(url_for(app, "agency.home")).status_code == 200


def test_a_sensitive_action_asks_for_the_second_factor_again_then_comes_back(
        app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    assert client.get(url_for(app, "manager.user_new")).status_code == 200  # just signed in
    monkeypatch.setitem(app.config, "REAUTHENTICATE_MINUTES", 0)  # as if long ago
    page_url = url_for(app, "manager.user_new")
    asked = client.get(page_url)
    assert asked.status_code == 302 and "/account/security/confirm" in asked.location
    code, _ = factor.next_code(manager.email)
    monkeypatch.setitem(app.config, "REAUTHENTICATE_MINUTES", 15)
    back = submit_form(client, asked.location, {"code": code})
    assert back.status_code == 302 and back.location == page_url


def test_another_manager_resets_a_lost_factor_and_the_user_is_emailed(
        app: Flask, client: FlaskClient, db: Session) -> None:
    manager, member = factories.user(db, Role.MANAGER), factories.user(db, Role.MODERATOR)
    db.commit()
    set_up_via(app, member)
    sign_in(client, manager)
    detail = url_for(app, "manager.user_detail", user_id=member.id)
    assert "Reset second factor" in page_text(client.get(detail))
    done = submit_form(client, url_for(app, "manager.user_reset_factors", user_id=member.id),
                       {}, get_url=detail)
    assert done.status_code == 302
    assert db.scalar(select(OutboxMessage.to_address).where(
        OutboxMessage.kind == "factor_reset")) == member.email
    again = app.test_client()
    _password_only(again, member)
    assert url_for(app, "security.set_up") in again.get(url_for(app, "moderation.home")).location
    own = url_for(app, "manager.user_detail", user_id=manager.id)
    assert "Reset second factor" not in page_text(client.get(own))
