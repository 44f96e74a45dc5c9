"""Save, then send: outbox rows delivered over real SMTP; retries; permanent failures bounce."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import Contact, OutboxMessage, OutboxStatus
from portal.services import mail
from portal.services.mail import Attachment, Email, SmtpSettings, SmtpTransport, deliver_outbox
from tests import factories
from tests.conftest import Mailbox
from tests.support import free_port

NOW = datetime(2026, 3, 2, 9, 0)


def _deliver(app: Flask, port: int, now: datetime = NOW) -> object:
    return deliver_outbox(get_db(app).sessionmaker,
                          SmtpTransport(SmtpSettings("127.0.0.1", port, timeout=5)),
                          sender="Compact Audit <audit@example.org>", now=now)


def _smtp_port(app: Flask) -> int:
    return int(app.config["MAIL_PORT"])


def test_queued_mail_is_delivered_with_text_html_and_attachment(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    mail.queue_email(db, Email(to="lead@example.org", subject="Hello", text="Plain body",
                                 html="<p>HTML body</p>",
                                 attachments=[Attachment("copy.pdf", "application/pdf", b"%PDF-1")]),
                       kind="test", now=NOW)
    db.commit()
    report = _deliver(app, _smtp_port(app))
    assert report.sent == 1  # type: ignore[attr-defined]
    [message] = mailbox.to("lead@example.org")
    assert message["Subject"] == "Hello"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Plain body"  # type: ignore[union-attr]
    assert "HTML body" in message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "copy.pdf"
    assert attachment.get_content() == b"%PDF-1"
    row = db.scalar(select(OutboxMessage))
    db.refresh(row)
    assert row is not None and row.status == OutboxStatus.SENT.value and row.attempts == 1


def test_server_down_keeps_mail_pending_and_delivers_it_later(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    mail.queue_email(db, Email(to="a@example.org", subject="One", text="1"), kind="t", now=NOW)
    mail.queue_email(db, Email(to="b@example.org", subject="Two", text="2"), kind="t", now=NOW)
    db.commit()
    closed = free_port()
    first = _deliver(app, closed)
    second = _deliver(app, closed, NOW + timedelta(minutes=30))
    assert first.deferred == 2 and second.deferred == 2  # type: ignore[attr-defined]
    rows = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    for row in rows:
        db.refresh(row)
        assert row.status == OutboxStatus.PENDING.value and row.attempts == 2
        assert row.last_error and "Connection" in row.last_error
    early = _deliver(app, _smtp_port(app), NOW + timedelta(minutes=31))
    assert early.sent == 0  # type: ignore[attr-defined]  # backoff: not due yet
    later = _deliver(app, _smtp_port(app), NOW + timedelta(hours=2))
    assert later.sent == 2  # type: ignore[attr-defined]
    assert {m["To"] for m in mailbox.messages} == {"a@example.org", "b@example.org"}
    assert _deliver(app, _smtp_port(app), NOW + timedelta(hours=3)).sent == 0  # type: ignore[attr-defined]
    assert len(mailbox.messages) == 2


def test_a_550_marks_the_contact_bounced_and_is_not_retried(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    agency = factories.agency(db, email="gone@example.org")
    mail.queue_email(db, Email(to="gone@example.org", subject="Hi", text="x"), kind="t", now=NOW)
    db.commit()
    mailbox.reject.add("gone@example.org")
    report = _deliver(app, _smtp_port(app))
    assert report.failed == 1  # type: ignore[attr-defined]
    contact = db.scalar(select(Contact).where(Contact.agency_id == agency.id))
    db.refresh(contact)
    assert contact is not None and contact.bounced_at == NOW
    assert contact.bounce_reason and "550" in contact.bounce_reason
    row = db.scalar(select(OutboxMessage))
    db.refresh(row)
    assert row is not None and row.status == OutboxStatus.FAILED.value
    assert _deliver(app, _smtp_port(app), NOW + timedelta(days=1)).failed == 0  # type: ignore[attr-defined]
    assert mailbox.messages == []


def test_without_a_mail_server_messages_stay_in_the_outbox(app: Flask, db: Session) -> None:
    mail.queue_email(db, Email(to="a@example.org", subject="One", text="1"), kind="t", now=NOW)
    db.commit()
    report = deliver_outbox(get_db(app).sessionmaker, None, sender="x@example.org", now=NOW)
    assert report.sent == 0
    row = db.scalar(select(OutboxMessage))
    db.refresh(row)
    assert row is not None and row.status == OutboxStatus.PENDING.value


def test_a_message_that_cannot_be_built_fails_alone(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    broken = mail.queue_email(db, Email(to="a@example.org", subject="Hi", text="1"),
                                kind="t", now=NOW)
    broken.to_address = "bad\naddress@example.org"  # a header no message can carry
    mail.queue_email(db, Email(to="b@example.org", subject="Fine", text="2"), kind="t", now=NOW)
    db.commit()
    report = _deliver(app, _smtp_port(app))
    assert (report.sent, report.failed) == (1, 1)  # type: ignore[attr-defined]
    assert [m["To"] for m in mailbox.messages] == ["b@example.org"]
    db.refresh(broken)
    assert broken.status == OutboxStatus.FAILED.value
    assert broken.last_error and "Could not build the message" in broken.last_error


def test_subjects_are_kept_to_one_line(db: Session) -> None:
    queued = mail.queue_email(db, Email(to="a@example.org", subject="Riverside\nYouth  Club",
                                          text="x"), kind="t", now=NOW)
    assert queued.subject == "Riverside Youth Club"
