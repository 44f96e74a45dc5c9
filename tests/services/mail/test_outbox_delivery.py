"""Save, then send: outbox rows delivered over real SMTP; sender problems pause delivery; only a
recipient-level 5xx bounces; nothing is given up silently."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import Contact, OutboxMessage, OutboxStatus
from portal.services import mail
from portal.services.mail import (
    Attachment,
    DeliveryReport,
    Email,
    SmtpSettings,
    SmtpTransport,
    current_pause,
    deliver_outbox,
    outbox_health,
    retry_undelivered,
)
from tests.support import factories, free_port
from tests.support.mail import Mailbox

NOW = datetime(2026, 3, 2, 9, 0)
SENDER = "Compact Audit <audit@example.org>"


def _deliver(app: Flask, port: int, now: datetime = NOW) -> DeliveryReport:
    return deliver_outbox(get_db(app).sessionmaker,
                          SmtpTransport(SmtpSettings("127.0.0.1", port, timeout=60)),
                          sender=SENDER, now=now)


def _smtp_port(app: Flask) -> int:
    return int(app.config["MAIL_PORT"])


def _queue(db: Session, *addresses: str, now: datetime = NOW) -> None:
    for address in addresses:
        mail.queue_email(db, Email(to=address, subject=f"For {address}", text="x"), kind="t",
                         now=now)
    db.commit()


def _statuses(db: Session) -> list[str]:
    db.expire_all()
    return [m.status for m in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


class RefusingSender(Mailbox):
    """A server that refuses every MAIL FROM with 530 (a relay or authentication mistake)."""

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: Any) -> str:
        return "530 5.7.0 Authentication required"


@pytest.fixture
def refusing_server() -> Iterator[int]:
    controller = Controller(RefusingSender(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port
    controller.stop()


def test_queued_mail_is_delivered_with_text_html_attachment_date_and_a_stable_message_id(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    queued = mail.queue_email(
        db, Email(to="lead@example.org", subject="Hello", text="Plain body",
                  html="<p>HTML body</p>",
                  attachments=[Attachment("copy.pdf", "application/pdf", b"%PDF-1")]),
        kind="test", now=NOW)
    db.commit()
    report = _deliver(app, _smtp_port(app))
    assert report.sent == 1
    [message] = mailbox.to("lead@example.org")
    assert message["Subject"] == "Hello"
    assert message["Date"] == "Mon, 02 Mar 2026 09:00:00 +0000"
    assert message["Message-ID"] == f"<outbox-{queued.id}.20260302090000@example.org>"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Plain body"  # type: ignore[union-attr]
    assert "HTML body" in message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "copy.pdf"
    assert attachment.get_content() == b"%PDF-1"
    row = db.scalar(select(OutboxMessage))
    db.refresh(row)
    assert row is not None and row.status == OutboxStatus.SENT.value and row.attempts == 1
    assert row.claimed_by is None and row.sent_at == NOW


def test_server_down_pauses_delivery_keeps_mail_queued_and_delivers_it_once_back(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    _queue(db, "a@example.org", "b@example.org")
    closed = free_port()
    first = _deliver(app, closed)
    _deliver(app, closed, NOW + timedelta(minutes=30))
    assert first.paused and "cannot connect" in first.paused
    assert _statuses(db) == ["pending", "pending"]
    pause = current_pause(db)
    assert pause is not None and pause.since == NOW and "cannot connect" in pause.reason

    later = _deliver(app, _smtp_port(app), NOW + timedelta(hours=2))
    assert later.sent == 2 and later.paused is None
    assert sorted(m["To"] for m in mailbox.messages) == ["a@example.org", "b@example.org"]
    assert _deliver(app, _smtp_port(app), NOW + timedelta(hours=3)).sent == 0
    assert len(mailbox.messages) == 2
    db.expire_all()
    assert current_pause(db) is None


def test_a_530_at_mail_from_bounces_no_contact_and_pauses_delivery(
    app: Flask, db: Session, refusing_server: int
) -> None:
    for n in range(3):
        factories.agency(db, f"Agency {n}", email=f"lead{n}@example.org")
    _queue(db, *(f"lead{n}@example.org" for n in range(3)))

    report = _deliver(app, refusing_server)

    assert report.paused and "530" in report.paused and report.failed == 0
    assert _statuses(db) == ["pending"] * 3
    assert db.scalars(select(Contact).where(Contact.bounced_at.is_not(None))).all() == []
    pause = current_pause(db)
    assert pause is not None and "MAIL FROM" in pause.reason


def test_a_550_at_rcpt_bounces_only_that_contact_and_the_rest_are_delivered(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    gone = factories.agency(db, "Gone", email="gone@example.org")
    factories.agency(db, "Fine", email="fine@example.org")
    _queue(db, "gone@example.org", "fine@example.org")
    mailbox.reject.add("gone@example.org")

    report = _deliver(app, _smtp_port(app))

    assert (report.sent, report.failed, report.paused) == (1, 1, None)
    db.expire_all()
    bounced = db.scalars(select(Contact).where(Contact.bounced_at.is_not(None))).all()
    assert [(c.agency_id, c.bounced_at) for c in bounced] == [(gone.id, NOW)]
    assert bounced[0].bounce_reason and "550" in bounced[0].bounce_reason
    assert _statuses(db) == ["failed", "sent"]
    assert [m["To"] for m in mailbox.messages] == ["fine@example.org"]
    assert _deliver(app, _smtp_port(app), NOW + timedelta(days=1)).attempted == 0


def test_a_two_day_outage_then_recovery_delivers_every_message_exactly_once(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    _queue(db, *(f"user{n}@example.org" for n in range(5)))
    closed = free_port()
    for hours in range(0, 48, 3):  # cron keeps running through the outage
        _deliver(app, closed, NOW + timedelta(hours=hours))
    assert _statuses(db) == ["pending"] * 5
    _deliver(app, _smtp_port(app), NOW + timedelta(days=2, hours=1))
    _deliver(app, _smtp_port(app), NOW + timedelta(days=2, hours=2))
    assert sorted(m["To"] for m in mailbox.messages) == [f"user{n}@example.org" for n in range(5)]
    assert _statuses(db) == ["sent"] * 5


def test_an_eight_day_outage_leaves_mail_visibly_undelivered_and_retry_sends_it_once(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    _queue(db, "a@example.org", "b@example.org")
    closed = free_port()
    for days in range(9):
        _deliver(app, closed, NOW + timedelta(days=days))
    assert _statuses(db) == ["undelivered", "undelivered"]
    assert outbox_health(db).undelivered == 2
    assert _deliver(app, _smtp_port(app), NOW + timedelta(days=9)).sent == 0  # not silently

    assert retry_undelivered(db, now=NOW + timedelta(days=9)) == 2
    db.commit()
    assert _deliver(app, _smtp_port(app), NOW + timedelta(days=9)).sent == 2
    assert sorted(m["To"] for m in mailbox.messages) == ["a@example.org", "b@example.org"]


def test_without_a_mail_server_messages_stay_in_the_outbox(app: Flask, db: Session) -> None:
    _queue(db, "a@example.org")
    report = deliver_outbox(get_db(app).sessionmaker, None, sender="x@example.org", now=NOW)
    assert report.sent == 0
    assert _statuses(db) == ["pending"]


def test_a_message_that_cannot_be_built_fails_alone(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    broken = mail.queue_email(db, Email(to="a@example.org", subject="Hi", text="1"),
                              kind="t", now=NOW)
    broken.to_address = "bad\naddress@example.org"  # a header no message can carry
    mail.queue_email(db, Email(to="b@example.org", subject="Fine", text="2"), kind="t", now=NOW)
    db.commit()
    report = _deliver(app, _smtp_port(app))
    assert (report.sent, report.failed) == (1, 1)
    assert [m["To"] for m in mailbox.messages] == ["b@example.org"]
    db.refresh(broken)
    assert broken.status == OutboxStatus.FAILED.value
    assert broken.last_error and "Could not build the message" in broken.last_error


def test_subjects_are_kept_to_one_line(db: Session) -> None:
    queued = mail.queue_email(db, Email(to="a@example.org", subject="Riverside\nYouth  Club",
                                        text="x"), kind="t", now=NOW)
    assert queued.subject == "Riverside Youth Club"


def test_mail_queued_before_the_retry_window_existed_is_still_delivered_then_expires(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    for address in ("old@example.org", "older@example.org"):
        message = mail.queue_email(db, Email(to=address, subject="S", text="T"), kind="t",
                                   now=NOW)
        message.retry_until = None  # as a row written before migration 0003
    db.commit()
    assert _deliver(app, _smtp_port(app), NOW + timedelta(days=1)).sent == 2
    stale = mail.queue_email(db, Email(to="stale@example.org", subject="S", text="T"), kind="t",
                             now=NOW)
    stale.retry_until = None
    db.commit()
    assert _deliver(app, _smtp_port(app), NOW + timedelta(days=8)).undelivered == 1
