"""What managers see of email delivery: a banner while delivery is paused, undelivered mail
counted on their home page with a retry; requests themselves never talk to the mail server."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import create_app
from portal.db import get_db
from portal.models import MailPause, OutboxMessage, Role
from portal.services import mail
from portal.services.mail import Email
from tests.support import factories, page_text, sign_in, submit_form, url_for
from tests.support.mail import Mailbox


def test_a_paused_delivery_shows_a_banner_on_the_managers_home(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.add(MailPause(reason="the server refused the sender at MAIL FROM: 530 Authentication "
                            "required", since=datetime(2026, 7, 1, 8, 5)))
    db.commit()
    sign_in(client, manager)
    page = page_text(client.get(url_for(app, "manager.home")))
    assert ("Email is not being delivered: the server refused the sender at MAIL FROM: 530 "
            "Authentication required, since 1 July 2026 at 9:05am BST") in page


def test_undelivered_mail_is_counted_and_the_manager_can_retry_it(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    manager = factories.user(db, Role.MANAGER)
    for n in range(2):
        message = mail.queue_email(db, Email(to=f"a{n}@example.org", subject="S", text="T"),
                                   kind="t", now=datetime(2026, 1, 1))
        message.status = "undelivered"
    db.commit()
    sign_in(client, manager)
    assert "2 emails were not delivered within 7 days" in page_text(client.get(url_for(app, "manager.home")))

    response = submit_form(client, url_for(app, "manager.mail_retry"), {},
                           get_url=url_for(app, "manager.home"), follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "2 emails queued to be sent again" in page and "not delivered within" not in page
    db.expire_all()
    assert {m.status for m in db.scalars(select(OutboxMessage))} == {"pending"}


def test_refused_mail_is_counted_and_the_manager_can_send_it_again_clearing_the_bounces(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    manager = factories.user(db, Role.MANAGER)
    agency = factories.agency(db, "Riverside", email="lead@example.org")
    message = mail.queue_email(db, Email(to="lead@example.org", subject="S", text="T"),
                               kind="t", now=datetime(2026, 1, 1))
    message.status = "failed"  # as a relay refusing to relay used to leave it
    agency.contacts[0].bounced_at = datetime(2026, 1, 1)
    db.commit()
    sign_in(client, manager)
    assert "1 email was refused by the mail server" in page_text(
        client.get(url_for(app, "manager.home")))

    response = submit_form(client, url_for(app, "manager.mail_retry_failed"), {},
                           get_url=url_for(app, "manager.home"), follow_redirects=True)

    page = page_text(response)
    assert "1 email queued to be sent again" in page and "refused by the mail server" not in page
    db.expire_all()
    assert db.scalar(select(OutboxMessage.status)) == "pending"
    assert agency.contacts[0].bounced_at is None


def connections_made(listener: socket.socket) -> int:
    """How many connections reached a listening socket that never answered them."""
    listener.setblocking(False)
    made = 0
    while True:
        try:
            listener.accept()[0].close()
        except BlockingIOError:
            return made
        made += 1


def test_forgot_password_and_a_cycle_opening_make_no_smtp_connection(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    listener = socket.create_server(("127.0.0.1", 0), backlog=16)  # listens, never answers
    silent = create_app(
        "testing", DATABASE_URL=app.config["DATABASE_URL"], MAIL_SERVER="127.0.0.1",
        MAIL_PORT=listener.getsockname()[1], SECRET_KEY=app.config["SECRET_KEY"], MAIL_TIMEOUT=1,
    )
    manager = factories.user(db, Role.MANAGER)
    tool = factories.tool(db)
    for n in range(3):
        factories.agency(db, f"Agency {n}", email=f"lead{n}@example.org")
    db.commit()
    client = silent.test_client()
    submit_form(client, url_for(app, "auth.forgot_password"), {"email": manager.email})
    sign_in(client, manager)
    deadline = datetime.now() + timedelta(days=60)
    created = submit_form(client, url_for(app, "cycles.new"), {
        "label": "2030-31", "cohort": "A", "final_deadline": ["", "", ""],
        "deadline": [str(deadline.day), str(deadline.month), str(deadline.year)],
        "tool_version": str(tool.id)})
    assert created.status_code == 302, created.get_data(as_text=True)[:3000]
    preview = created.headers["Location"]
    opened = submit_form(client, preview.replace("/preview", "/open"), {}, get_url=preview,
                         follow_redirects=True)
    # an invitation each, whose link sets the new user's password (no second email)
    assert "3 emails are queued to be sent" in page_text(opened)
    queued = db.scalars(select(OutboxMessage)).all()
    assert len(queued) == 4 and {m.status for m in queued} == {"pending"}
    assert connections_made(listener) == 0  # no request even tried the mail server
    listener.close()
    get_db(silent).engine.dispose()
