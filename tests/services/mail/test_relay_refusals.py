"""Blame the relay, not the agency: a relay refusing to relay (550 5.7.1 at every RCPT, or the
same refusal for most of a batch) pauses delivery and keeps the messages; no contact is marked
bounced, and every message goes once the relay is fixed."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import Contact, OutboxMessage
from portal.services import mail
from portal.services.mail import (
    DeliveryReport,
    Email,
    SmtpSettings,
    SmtpTransport,
    current_pause,
    deliver_outbox,
)
from tests.support import factories
from tests.support.relays import RefusingRelay, running

NOW = datetime(2026, 3, 2, 9, 0)
SENDER = "Compact Audit <audit@example.org>"


def _deliver(app: Flask, port: int, now: datetime) -> DeliveryReport:
    return deliver_outbox(get_db(app).sessionmaker,
                          SmtpTransport(SmtpSettings("127.0.0.1", port, timeout=60)),
                          sender=SENDER, now=now)


def _two_messages_to_each_of(db: Session, agencies: int) -> None:
    for n in range(agencies):
        factories.agency(db, f"Agency {n}", email=f"lead{n}@example.org")
        for kind in ("invitation", "chaser"):
            mail.queue_email(db, Email(to=f"lead{n}@example.org", subject=kind, text="x"),
                             kind=kind, now=NOW)
    db.commit()


def _bounced(db: Session) -> list[Contact]:
    db.expire_all()
    return list(db.scalars(select(Contact).where(Contact.bounced_at.is_not(None))))


@pytest.mark.parametrize("refusal", [
    "550 5.7.1 Unable to relay",  # names relaying: the sender's problem at once
    "554 5.7.1 Access denied",  # names nothing, but meets every recipient of the batch
])
def test_a_relay_refusing_every_recipient_bounces_no_contact_pauses_and_sends_all_once_fixed(
    app: Flask, db: Session, refusal: str
) -> None:
    _two_messages_to_each_of(db, 32)  # 64 messages: more than one batch
    relay = RefusingRelay(refusal)
    with running(relay) as port:
        refused = _deliver(app, port, NOW)
        again = _deliver(app, port, NOW + timedelta(minutes=5))
        assert _bounced(db) == []
        assert refused.failed == again.failed == 0 and refused.paused and again.paused
        assert refusal in refused.paused
        pause = current_pause(db)
        assert pause is not None and pause.since == NOW and refusal in pause.reason
        assert set(db.scalars(select(OutboxMessage.status))) == {"pending"}

        relay.refusing = False
        fixed = _deliver(app, port, NOW + timedelta(minutes=10))
        drained = _deliver(app, port, NOW + timedelta(days=1))

    assert fixed.sent == 64 and drained.attempted == 0
    copies = Counter(str(m["Message-ID"]) for m in relay.messages)
    assert len(copies) == 64 and max(copies.values()) == 1
    db.expire_all()
    assert current_pause(db) is None


def test_one_refused_recipient_among_accepted_ones_still_bounces(
    app: Flask, db: Session
) -> None:
    _two_messages_to_each_of(db, 2)
    relay = RefusingRelay("550 5.7.1 Recipient address rejected: access denied")
    relay.refusing = False
    relay.reject.add("lead0@example.org")  # 550 5.1.1 to this one address only
    with running(relay) as port:
        report = _deliver(app, port, NOW)
    assert (report.sent, report.failed, report.paused) == (2, 2, None)
    assert [c.email for c in _bounced(db)] == ["lead0@example.org"]


def test_retrying_failed_mail_clears_wrong_bounces_and_sends_it(
    app: Flask, db: Session
) -> None:
    _two_messages_to_each_of(db, 2)
    for message in db.scalars(select(OutboxMessage)):  # as a relay problem used to leave them
        message.status, message.last_error = "failed", "Recipient refused: 550 5.7.1 Unable to relay"
    for contact in db.scalars(select(Contact)):
        contact.bounced_at, contact.bounce_reason = NOW, "550 5.7.1 Unable to relay"
    db.commit()

    result = app.test_cli_runner().invoke(args=["mail", "retry", "--failed", "--now", "2026-03-02T09:00"])

    assert result.exit_code == 0 and "Queued again: 4" in result.output
    assert _bounced(db) == []
    relay = RefusingRelay()
    relay.refusing = False
    with running(relay) as port:
        assert _deliver(app, port, NOW + timedelta(minutes=1)).sent == 4
