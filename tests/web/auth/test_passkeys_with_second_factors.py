"""Passkeys and the second-factor gate together (issue 29): a passkey is a second factor; a
password alone can add the first factor of an account that has none, never another one; and a
manager's reset of a lost factor removes passkeys as well."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Passkey, Role, User
from tests.support import (
    csrf_from,
    factories,
    page,
    page_text,
    sign_in,
    sign_in_password_only,
    submit_form,
    url_for,
)
from tests.support.passkeys import SoftAuthenticator, for_app, post_json


def _passkeys_of(db: Session, user: User) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == user.id)) or 0


def _add_passkey(client: FlaskClient, app: Flask, authenticator: SoftAuthenticator) -> int:
    page = client.get(url_for(app, "passkeys.index"))
    assert page.status_code == 200
    csrf = csrf_from(page.get_data(as_text=True))
    options = post_json(client, url_for(app, "passkeys.registration_options"), csrf)
    added = post_json(client, url_for(app, "passkeys.add"), csrf,
                      {"name": "Laptop", "credential": authenticator.create(options.get_json())})
    return int(added.status_code)


def test_a_password_alone_cannot_add_a_passkey_to_an_account_with_a_factor(
        app: Flask, client: FlaskClient, db: Session) -> None:
    member = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(app.test_client(), member)  # sets up an authenticator app
    sign_in_password_only(client, member)  # someone who knows only the password
    page = client.get(url_for(app, "passkeys.index"))
    assert page.status_code == 302 and url_for(app, "auth.second_factor") in page.location
    csrf = csrf_from(client.get(url_for(app, "auth.second_factor")).get_data(as_text=True))
    options = post_json(client, url_for(app, "passkeys.registration_options"), csrf)
    assert options.status_code == 302 and url_for(app, "auth.second_factor") in options.location
    assert _passkeys_of(db, member) == 0


def test_a_first_passkey_is_then_the_second_factor_asked_for(
        app: Flask, client: FlaskClient, db: Session) -> None:
    member = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in_password_only(client, member)
    authenticator = for_app(app)
    assert _add_passkey(client, app, authenticator) == 200
    assert _passkeys_of(db, member) == 1

    later = app.test_client()
    sign_in_password_only(later, member)
    home = later.get(url_for(app, "committee.home"))
    assert url_for(app, "auth.second_factor") in home.location
    asked = later.get(home.location)  # no authenticator app: on to the passkey
    assert asked.status_code == 302
    assert asked.location.startswith(url_for(app, "passkeys.second_factor"))
    assert "Confirm it is you with a passkey" in page_text(later.get(asked.location))


def test_a_managers_reset_removes_the_users_passkeys_too(
        app: Flask, client: FlaskClient, db: Session) -> None:
    manager, member = factories.user(db, Role.MANAGER), factories.user(db, Role.COMMITTEE)
    db.commit()
    own = app.test_client()
    sign_in_password_only(own, member)
    assert _add_passkey(own, app, for_app(app)) == 200
    sign_in(client, manager)
    detail = url_for(app, "manager.user_detail", user_id=member.id)
    assert "1 passkey" in page_text(client.get(detail))
    done = submit_form(client, url_for(app, "manager.user_reset_factors", user_id=member.id),
                       {}, get_url=detail)
    assert done.status_code == 302
    assert _passkeys_of(db, member) == 0


def _pass_with_passkey(client: FlaskClient, app: Flask, authenticator: SoftAuthenticator,
                       page: str) -> Any:
    """Use the passkey on the passkey page at `page` (its options, then the assertion)."""
    csrf = csrf_from(client.get(page).get_data(as_text=True))
    options = post_json(client, url_for(app, "passkeys.second_factor_options"), csrf).get_json()
    verify = page.replace(url_for(app, "passkeys.second_factor"),
                          url_for(app, "passkeys.verify_second_factor"), 1)
    return post_json(client, verify, csrf, {"credential": authenticator.get(options)})


def test_a_passkey_only_account_confirms_a_sensitive_action_with_its_passkey_not_its_password(
        app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in_password_only(client, manager)
    authenticator = for_app(app)
    assert _add_passkey(client, app, authenticator) == 200
    signed_in = _pass_with_passkey(client, app, authenticator,
                                   url_for(app, "passkeys.second_factor"))
    assert signed_in.status_code == 200
    page_url = url_for(app, "manager.user_new")
    assert client.get(page_url).status_code == 200  # just signed in with the passkey

    monkeypatch.setitem(app.config, "REAUTHENTICATE_MINUTES", 0)  # as if long ago
    asked = client.get(page_url)
    assert asked.status_code == 302 and asked.location.startswith(
        url_for(app, "security.reauthenticate"))
    signed_in_at = _authenticated_at(client)
    csrf = csrf_from(client.get(url_for(app, "passkeys.index")).get_data(as_text=True))
    password = client.post(asked.location, data={"password": factories.PASSWORD,
                                                 "csrf_token": csrf})
    assert password.status_code == 302  # no password form for this account: on to the passkey
    assert _authenticated_at(client) == signed_in_at  # the password confirmed nothing
    to_passkey = client.get(asked.location)
    assert to_passkey.location.startswith(url_for(app, "passkeys.second_factor"))
    confirmed = _pass_with_passkey(client, app, authenticator, to_passkey.location)
    assert confirmed.get_json() == {"redirect": page_url}
    assert _authenticated_at(client) > signed_in_at


def _authenticated_at(client: FlaskClient) -> str:
    with client.session_transaction() as cookie_session:
        return str(cookie_session["authenticated_at"])


def test_the_confirm_page_offers_a_passkey_to_an_account_with_an_app_and_a_passkey(
        app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)  # sets up an authenticator app
    assert _add_passkey(client, app, for_app(app)) == 200
    monkeypatch.setitem(app.config, "REAUTHENTICATE_MINUTES", 0)
    asked = client.get(url_for(app, "manager.user_new"))
    shown = client.get(asked.location)
    links = {a.get_text(strip=True): a["href"] for a in page(shown).select("main a.govuk-link")}
    assert links["Use a passkey instead"].startswith(url_for(app, "passkeys.second_factor"))
    passkey_page = page(client.get(links["Use a passkey instead"]))
    other = passkey_page.select_one("main a.govuk-link")
    assert other is not None and other["href"].startswith(url_for(app, "security.reauthenticate"))
