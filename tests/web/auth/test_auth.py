"""Sign-in with argon2id passwords, set-password links by email, forgotten passwords, sign-out."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Role, User
from tests.support import factories, page, page_text, sign_in, submit_form, url_for
from tests.support.mail import Mailbox


def _link_from(mailbox: Mailbox, address: str) -> str:
    body = mailbox.to(address)[-1].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(r"http://portal\.test(/set-password/\S+)", body)
    assert match, body
    return match.group(1)


def test_passwords_are_stored_as_argon2id(db: Session) -> None:
    user = factories.user(db, Role.MANAGER)
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")


def test_wrong_password_is_refused_with_an_error_summary(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    response = submit_form(client, url_for(app, "auth.sign_in"),
                           {"email": user.email, "password": "wrong one!"})
    html = page_text(response)
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter a correct email address and password" in html
    assert db.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == \
        "user.sign_in_failed"


def test_sign_in_lands_on_the_roles_home_and_sign_out_ends_it(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    assert client.get(url_for(app, "auth.index")).headers["Location"] == url_for(app, "manager.home")
    assert client.get(url_for(app, "manager.home")).status_code == 200
    submit_form(client, url_for(app, "auth.sign_out"), {})
    assert client.get(url_for(app, "manager.home")).status_code == 302


def test_new_user_sets_a_password_from_the_emailed_link_once(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    manager = factories.user(db, Role.MANAGER)
    agency = factories.agency(db, "Hillside Primary School")
    db.commit()
    sign_in(client, manager)
    response = submit_form(client, url_for(app, "manager.user_new"), {
        "name": "Dee Lead", "email": "dee@hillside.example.org", "role": "agency",
        "agency": agency.name})
    assert response.status_code == 302
    submit_form(client, url_for(app, "auth.sign_out"), {})
    link = _link_from(mailbox, "dee@hillside.example.org")
    response = submit_form(client, link, {"password": "walrus kettle tractor dune", "confirm":
                                          "walrus kettle tractor dune"})
    assert response.status_code == 302
    created = db.scalar(select(User).where(User.email == "dee@hillside.example.org"))
    db.refresh(created)
    assert created is not None and created.agency_id == agency.id
    # After setting a password, the user is signed in (issue 13, item 6).
    assert client.get(url_for(app, "auth.index")).headers["Location"] == url_for(app, "agency.home")
    assert client.get(url_for(app, "agency.home")).status_code == 200
    submit_form(client, url_for(app, "auth.sign_out"), {})
    sign_in(client, created, "walrus kettle tractor dune")
    assert client.get(url_for(app, "auth.index")).headers["Location"] == url_for(app, "agency.home")
    assert client.get(link).status_code == 410  # spent


def test_set_password_rejects_short_and_mismatched_passwords(
    client: FlaskClient, db: Session, mailbox: Mailbox, app: Flask
) -> None:
    user = factories.user(db, Role.MANAGER, password=None)
    db.commit()
    submit_form(client, url_for(app, "auth.forgot_password"), {"email": user.email})
    link = _link_from(mailbox, user.email)
    short = submit_form(client, link, {"password": "short", "confirm": "short"})
    assert "Password must be 12 characters or more" in page_text(short)
    mismatch = submit_form(client, link, {"password": "a long new password",
                                          "confirm": "a different password"})
    assert "Passwords do not match" in page_text(mismatch)


def test_forgotten_password_sends_a_link_only_to_real_users(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    user = factories.user(db, Role.COMMITTEE)
    db.commit()
    for address in (user.email, "nobody@example.org"):
        response = submit_form(client, url_for(app, "auth.forgot_password"), {"email": address})
        assert "Check your email" in page_text(response)  # same answer either way
    assert len(mailbox.to(user.email)) == 1
    assert mailbox.to("nobody@example.org") == []
    assert mailbox.to(user.email)[0]["Subject"] == "Reset your Compact Audit password"


def test_changing_the_password_signs_out_other_sessions(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    other = app.test_client()
    submit_form(other, url_for(app, "auth.forgot_password"), {"email": user.email})
    submit_form(other, _link_from(mailbox, user.email),
                {"password": "a brand new password", "confirm": "a brand new password"})
    old = client.get(url_for(app, "manager.home"))  # the old session no longer works: back to sign in
    assert old.status_code == 302 and old.headers["Location"].startswith(url_for(app, "auth.sign_in"))


def test_deactivated_users_cannot_sign_in(app: Flask, client: FlaskClient, db: Session) -> None:
    user = factories.user(db, Role.MANAGER)
    user.active = False
    db.commit()
    response = submit_form(client, url_for(app, "auth.sign_in"), {"email": user.email,
                                                "password": factories.PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect into the service
    shown = page(response)
    assert [a.get_text(strip=True) for a in shown.select(".govuk-error-summary__list a")] == [
        "Enter a correct email address and password"]  # the same words as a wrong password
    assert shown.select_one("h1").get_text(strip=True) == "Sign in to the Compact Audit"
    home = client.get(url_for(app, "manager.home"))
    assert home.headers["Location"].startswith(url_for(app, "auth.sign_in"))  # not signed in


def test_sign_in_does_not_follow_offsite_next_links(app: Flask, client: FlaskClient, db: Session) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    response = submit_form(client, url_for(app, "auth.sign_in", next="//evil.example/x"),
                           {"email": user.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/"


def test_manager_deactivates_a_user_who_is_signed_out_at_once(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    manager = factories.user(db, Role.MANAGER)
    member = factories.user(db, Role.MODERATOR)
    db.commit()
    theirs = app.test_client()
    sign_in(theirs, member)
    sign_in(client, manager)
    detail = url_for(app, "manager.user_detail", user_id=member.id)
    assert member.email in client.get(detail).get_data(as_text=True)
    submit_form(client, url_for(app, "manager.user_active", user_id=member.id), {},
                get_url=url_for(app, "manager.user_detail", user_id=member.id))
    assert theirs.get(url_for(app, "moderation.home")).status_code == 302  # their session has ended
    refused = submit_form(theirs, url_for(app, "auth.sign_in"), {"email": member.email,
                                               "password": factories.PASSWORD})
    assert refused.status_code == 200
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.deactivated"))
    assert event is not None and event.user_id == manager.id
    own = submit_form(client, url_for(app, "manager.user_active", user_id=manager.id), {},
                      get_url=url_for(app, "manager.user_detail", user_id=member.id))
    assert own.status_code == 302
    db.refresh(manager)
    assert manager.active  # nobody can lock themselves out


def test_manager_resends_a_set_password_link(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    manager = factories.user(db, Role.MANAGER)
    newcomer = factories.user(db, Role.COMMITTEE, password=None)
    db.commit()
    sign_in(client, manager)
    submit_form(client, url_for(app, "manager.user_link", user_id=newcomer.id), {},
                get_url=url_for(app, "manager.user_detail", user_id=newcomer.id))
    assert _link_from(mailbox, newcomer.email).startswith("/set-password/")
