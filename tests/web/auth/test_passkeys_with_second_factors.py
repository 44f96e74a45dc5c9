"""Passkeys and the second-factor gate together (issue 29): a passkey is a second factor; a
password alone can add the first factor of an account that has none, never another one; and a
manager's reset of a lost factor removes passkeys as well."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Passkey, Role, User
from tests.support import (
    csrf_from,
    factories,
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
