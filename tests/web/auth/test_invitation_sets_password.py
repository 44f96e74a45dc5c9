"""A new agency user meets one email: the invitation, whose link sets their password (once, for
a limited time) and signs them in, before any sign-in page."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import utcnow
from portal.services import cycles
from portal.services.accounts import LinkSettings
from tests.support import factories, page, page_text, submit_form, url_for
from tests.support.mail import Mailbox

PASSWORD = "a long new password 42"


def _invitation_link(app: Flask, db: Session, mailbox: Mailbox) -> tuple[str, str]:
    factories.agency(db, "Brook Surgery", email="lead@brook.example.org")
    now = utcnow()  # the sender delivers what is due now (and gives up on week-old mail)
    cycle = cycles.create_cycle(db, label="2040-41", cohort="A", deadline=date(2041, 1, 31),
                                now=now)
    cycles.open_cycle(db, cycle, now=now,
                      links=LinkSettings.from_config(app.config))
    db.commit()
    [invitation] = mailbox.to("lead@brook.example.org")  # no separate set-password email
    body = invitation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(r"http://portal\.test(/set-password/\S+)", body)
    assert match, body
    return match.group(1), body


def test_the_invitation_link_sets_the_password_then_signs_the_new_user_in(
    app: Flask, client: FlaskClient, db: Session, tool: object, mailbox: Mailbox
) -> None:
    link, body = _invitation_link(app, db, mailbox)
    assert "This link works once, for 72 hours" in body
    assert "Start by setting your password" in body

    first = page(client.get(link))
    assert first.select_one("h1").get_text(strip=True) == "Set your password"  # type: ignore[union-attr]
    done = submit_form(client, link, {"password": PASSWORD, "confirm": PASSWORD},
                       follow_redirects=True)

    assert "Your password has been set and you are signed in." in page_text(done)
    assert client.get(link).status_code == 410  # single use
    assert client.get(url_for(app, "agency.home")).status_code == 200
