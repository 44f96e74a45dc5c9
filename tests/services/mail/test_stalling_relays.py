"""A stalling relay is bounded: each SMTP exchange has an overall deadline (a relay that never
answers, or drips "250-" lines for ever, is cut off), and repeated stalls pause delivery with
the reason recorded for the manager's banner, keeping every message queued."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import Contact, OutboxMessage
from portal.services import mail
from portal.services.mail import (
    DeliveryLimits,
    DeliveryReport,
    Email,
    SmtpSettings,
    SmtpTransport,
    current_pause,
    deliver_outbox,
)
from tests.support import factories
from tests.support.relays import StallingRelay, running

NOW = datetime(2026, 3, 2, 9, 0)
SENDER = "Compact Audit <audit@example.org>"


def _run_in_thread(app: Flask, port: int) -> DeliveryReport:
    """One run with a 0.5 s deadline per exchange (reads may take 30 s each): it must end by
    itself; the join's limit only stops a hung test, it measures nothing."""
    transport = SmtpTransport(SmtpSettings("127.0.0.1", port, timeout=30, deadline=0.5))
    reports: list[DeliveryReport] = []
    run = threading.Thread(target=lambda: reports.append(deliver_outbox(
        get_db(app).sessionmaker, transport, sender=SENDER, now=NOW,
        limits=DeliveryLimits(stalls_before_pause=2))), daemon=True)
    run.start()
    run.join(timeout=60)
    assert not run.is_alive(), "the run did not end: the stall was not cut off"
    return reports[0]


@pytest.mark.parametrize(("stage", "drip"), [("MAIL", False), ("DATA", False), ("MAIL", True)],
                         ids=["stall after MAIL FROM", "stall at DATA", "dripping 250- lines"])
def test_a_stalling_relay_is_cut_off_and_pauses_delivery_after_two_stalls_keeping_the_mail(
    app: Flask, db: Session, stage: str, drip: bool
) -> None:
    for n in range(5):
        factories.agency(db, f"Agency {n}", email=f"lead{n}@example.org")
        mail.queue_email(db, Email(to=f"lead{n}@example.org", subject="S", text="x"), kind="t",
                         now=NOW)
    db.commit()
    relay = StallingRelay(stage, drip=drip)
    with running(relay) as port:
        report = _run_in_thread(app, port)

    assert relay.stalls == 2 and (report.sent, report.deferred, report.failed) == (0, 2, 0)
    assert report.paused and "stopped answering" in report.paused
    pause = current_pause(db)
    assert pause is not None and "2 timeouts or lost connections in a row" in pause.reason
    db.expire_all()
    assert set(db.scalars(select(OutboxMessage.status))) == {"pending"}
    assert db.scalars(select(Contact).where(Contact.bounced_at.is_not(None))).all() == []
