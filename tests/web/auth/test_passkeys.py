"""Passkey pages (issue 29): a committee member adds, renames and removes passkeys; anyone signs
in with a passkey alone or uses one as the second factor after a password; refusals answer the
script with a message, are throttled, and spend the challenge."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn.helpers import bytes_to_base64url

from portal.models import AuditEvent, Passkey, Role, User
from portal.services import passkeys
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


@pytest.fixture
def member(app: Flask, db: Session) -> User:
    made = factories.user(db, Role.COMMITTEE, name="Cam Member")
    db.commit()
    return made


def _csrf(client: FlaskClient, app: Flask, endpoint: str = "passkeys.index") -> str:
    response = client.get(url_for(app, endpoint))
    assert response.status_code == 200
    return csrf_from(response.get_data(as_text=True))


def _add(client: FlaskClient, app: Flask, authenticator: SoftAuthenticator,
         name: str = "Work laptop") -> Any:
    csrf = _csrf(client, app)
    options = post_json(client, url_for(app, "passkeys.registration_options"), csrf)
    assert options.status_code == 200 and options.mimetype == "application/json"
    return post_json(client, url_for(app, "passkeys.add"), csrf,
                     {"name": name, "credential": authenticator.create(options.get_json())})


def _passkey_sign_in(client: FlaskClient, app: Flask, authenticator: SoftAuthenticator) -> Any:
    csrf = _csrf(client, app, "auth.sign_in")
    options = post_json(client, url_for(app, "passkeys.sign_in_options"), csrf)
    assert options.get_json()["userVerification"] == "required"
    assert options.get_json()["allowCredentials"] == []  # discoverable: the key says whose
    return post_json(client, url_for(app, "passkeys.sign_in"), csrf,
                     {"credential": authenticator.get(options.get_json())})


def _registered(app: Flask, member: User) -> SoftAuthenticator:
    client = app.test_client()
    sign_in(client, member)
    authenticator = for_app(app)
    assert _add(client, app, authenticator).status_code == 200
    return authenticator


def test_the_passkeys_page_needs_a_sign_in(app: Flask, client: FlaskClient) -> None:
    response = client.get(url_for(app, "passkeys.index"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for(app, "auth.sign_in"))


def test_without_javascript_the_page_says_passkeys_need_it(
        app: Flask, client: FlaskClient, member: User) -> None:
    sign_in(client, member)
    soup = page(client.get(url_for(app, "passkeys.index")))
    assert "You have not added a passkey yet" in soup.get_text()
    unsupported = soup.select_one("[data-passkey-unsupported]")
    assert unsupported is not None and "needs JavaScript" in unsupported.get_text()
    assert "sign in with your password" in unsupported.get_text()
    assert soup.select_one("form[data-passkey-register]").has_attr("hidden")
    script = soup.find("script", src=url_for(app, "assets", filename="passkeys.js"))
    assert script is not None and script.get("nonce")
    assert client.get(url_for(app, "assets", filename="passkeys.js")).status_code == 200


def test_a_member_adds_a_named_passkey_and_sees_it_listed(
        app: Flask, client: FlaskClient, db: Session, member: User) -> None:
    sign_in(client, member)
    response = _add(client, app, for_app(app), name="Work laptop")
    assert response.get_json() == {"redirect": url_for(app, "passkeys.index")}
    text = page_text(client.get(url_for(app, "passkeys.index")))
    assert "Passkey 'Work laptop' added" in text
    assert "Work laptop Added" in text and "Not used yet" in text
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.user_id == member.id)
                     .order_by(AuditEvent.id.desc())) == "passkey.added"


def test_adding_without_a_name_says_so_and_spends_the_challenge(
        app: Flask, client: FlaskClient, db: Session, member: User) -> None:
    sign_in(client, member)
    authenticator = for_app(app)
    csrf = _csrf(client, app)
    options = post_json(client, url_for(app, "passkeys.registration_options"), csrf).get_json()
    credential = authenticator.create(options)
    response = post_json(client, url_for(app, "passkeys.add"), csrf,
                         {"name": " ", "credential": credential})
    assert response.status_code == 400
    assert response.get_json() == {"error": "Enter a name for the passkey", "field": "name"}
    again = post_json(client, url_for(app, "passkeys.add"), csrf,
                      {"name": "Phone", "credential": credential})
    assert again.status_code == 400 and "expired" in again.get_json()["error"]
    assert db.scalar(select(Passkey.id)) is None


def test_adding_needs_the_csrf_token(app: Flask, client: FlaskClient, member: User) -> None:
    sign_in(client, member)
    response = client.post(url_for(app, "passkeys.registration_options"), json={})
    assert response.status_code == 400


def test_a_passkey_alone_signs_the_member_in_with_both_factors(
        app: Flask, client: FlaskClient, db: Session, member: User) -> None:
    authenticator = _registered(app, member)
    assert "Sign in with a passkey" in page_text(client.get(url_for(app, "auth.sign_in")))
    response = _passkey_sign_in(client, app, authenticator)
    assert response.status_code == 200
    assert response.get_json() == {"redirect": url_for(app, "auth.index")}
    with client.session_transaction() as cookie_session:
        assert cookie_session["second_factor"] == "passkey"
    home = client.get(url_for(app, "auth.index"))
    assert home.headers["Location"] == url_for(app, "committee.home")
    db.refresh(member)
    assert member.last_sign_in_at is not None
    assert "Last used" in page_text(client.get(url_for(app, "passkeys.index")))


def test_an_unknown_passkey_does_not_sign_in_and_failures_are_throttled(
        app: Flask, client: FlaskClient, member: User) -> None:
    authenticator = _registered(app, member)
    impostor = for_app(app)
    impostor.credential_id, impostor.user_handle = (authenticator.credential_id,
                                                    authenticator.user_handle)
    for _ in range(passkeys.PASSKEY_ATTEMPTS.limit):
        refused = _passkey_sign_in(client, app, impostor)
        assert refused.status_code == 400
        assert "not recognised" in refused.get_json()["error"]
    blocked = _passkey_sign_in(client, app, authenticator)
    assert blocked.status_code == 429 and "too many times" in blocked.get_json()["error"]
    assert client.get(url_for(app, "auth.index")).headers["Location"].startswith(
        url_for(app, "auth.sign_in"))


def test_a_passkey_is_the_second_factor_after_a_password(
        app: Flask, client: FlaskClient, member: User) -> None:
    authenticator = _registered(app, member)
    sign_in_password_only(client, member)
    with client.session_transaction() as cookie_session:
        assert "second_factor" not in cookie_session
    csrf = _csrf(client, app, "passkeys.second_factor")
    options = post_json(client, url_for(app, "passkeys.second_factor_options"), csrf).get_json()
    assert [c["id"] for c in options["allowCredentials"]] == [
        bytes_to_base64url(authenticator.credential_id)]
    response = post_json(client, url_for(app, "passkeys.verify_second_factor"), csrf,
                         {"credential": authenticator.get(options)})
    assert response.get_json() == {"redirect": url_for(app, "auth.index")}
    with client.session_transaction() as cookie_session:
        assert cookie_session["second_factor"] == "passkey"


def test_another_users_passkey_is_not_a_second_factor(
        app: Flask, client: FlaskClient, db: Session, member: User) -> None:
    other = factories.user(db, Role.MANAGER)
    db.commit()
    theirs = _registered(app, other)
    _registered(app, member)
    sign_in_password_only(client, member)
    csrf = _csrf(client, app, "passkeys.second_factor")
    options = post_json(client, url_for(app, "passkeys.second_factor_options"), csrf).get_json()
    response = post_json(client, url_for(app, "passkeys.verify_second_factor"), csrf,
                         {"credential": theirs.get(options)})
    assert response.status_code == 400
    with client.session_transaction() as cookie_session:
        assert "second_factor" not in cookie_session


def test_rename_and_remove_a_passkey(app: Flask, client: FlaskClient, db: Session,
                                     member: User) -> None:
    _registered(app, member)
    sign_in(client, member)
    passkey_id = db.scalar(select(Passkey.id))
    rename = url_for(app, "passkeys.rename", passkey_id=passkey_id)
    assert submit_form(client, rename, {"name": ""}).status_code == 400
    assert submit_form(client, rename, {"name": "Phone"}).status_code == 302
    remove = url_for(app, "passkeys.remove", passkey_id=passkey_id)
    assert "Remove the passkey" in page_text(client.get(remove))
    response = submit_form(client, remove, {}, follow_redirects=True)
    assert "Passkey 'Phone' removed" in page_text(response)
    assert db.scalar(select(Passkey.id)) is None
    assert db.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "passkey.removed"


def test_another_users_passkey_cannot_be_seen_or_removed(
        app: Flask, client: FlaskClient, db: Session, member: User) -> None:
    _registered(app, member)
    other = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, other)
    passkey_id = db.scalar(select(Passkey.id))
    assert client.get(url_for(app, "passkeys.remove", passkey_id=passkey_id)).status_code == 404
    response = client.post(url_for(app, "passkeys.remove", passkey_id=passkey_id),
                           data={"csrf_token": _csrf(client, app)})
    assert response.status_code == 404
    assert db.scalar(select(Passkey.id)) == passkey_id
