"""Claims that hold as long as the work: a lease runs from the claim and is renewed while a batch
is in hand; only the sender holding a claim can record an outcome, so a run that outlives its
lease (or a second run started after it) never doubles a message."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import OutboxMessage, OutboxStatus
from portal.services import mail
from portal.services.mail import (
    DeliveryLimits,
    DeliveryReport,
    Email,
    SmtpSettings,
    SmtpTransport,
    deliver_outbox,
)
from portal.services.mail._outbox import claim_messages, mark_sent
from tests.support import wait_until
from tests.support.relays import HoldingRelay, SlowRelay, running

NOW = datetime(2026, 3, 2, 9, 0)
SENDER = "Compact Audit <audit@example.org>"


def _queue(db: Session, count: int) -> None:
    for n in range(count):
        mail.queue_email(db, Email(to=f"user{n}@example.org", subject=f"Message {n}", text="x"),
                         kind="t", now=NOW)
    db.commit()


def _send(app: Flask, port: int, now: datetime, *, lease: timedelta,
          into: list[DeliveryReport] | None = None,
          clock: Callable[[], float] | None = None) -> DeliveryReport:
    report = deliver_outbox(get_db(app).sessionmaker,
                            SmtpTransport(SmtpSettings("127.0.0.1", port, timeout=30)),
                            sender=SENDER, now=now,
                            limits=DeliveryLimits(lease=lease, run_seconds=600),
                            **({"clock": clock} if clock else {}))
    if into is not None:
        into.append(report)
    return report


def _copies(relay: SlowRelay | HoldingRelay) -> Counter[str]:
    return Counter(str(m["Message-ID"]) for m in relay.messages)


def test_a_sender_whose_claim_ran_out_cannot_record_the_message_and_the_new_holder_can(
    db: Session,
) -> None:
    _queue(db, 1)
    [first] = claim_messages(db, token="first", now=NOW, limit=10)
    assert first.lease_until == NOW + mail.LEASE  # counted from the claim
    [taken] = claim_messages(db, token="second", now=NOW + mail.LEASE, limit=10)
    assert taken.id == first.id

    assert mark_sent(db, first.id, token="first", now=NOW + mail.LEASE) is False
    db.expire_all()
    row = db.get(OutboxMessage, first.id)
    assert row is not None and (row.status, row.claimed_by) == ("sending", "second")
    assert mark_sent(db, first.id, token="second", now=NOW + mail.LEASE) is True
    db.expire_all()
    assert (row.status, row.attempts) == (OutboxStatus.SENT.value, 1)


def test_a_run_longer_than_its_lease_and_a_second_run_after_the_lease_send_each_message_once(
    app: Flask, db: Session
) -> None:
    lease = timedelta(seconds=2)
    _queue(db, 40)  # one batch; 0.1 s a message: 4 s, twice the lease
    relay = SlowRelay(0.1)
    reports: list[DeliveryReport] = []

    def run_clock() -> float:
        """The long run's clock: 0.1 s a message relayed, however slowly the machine runs."""
        return len(relay.messages) * 0.1

    with running(relay) as port:
        long_run = threading.Thread(target=_send, args=(app, port, NOW),
                                    kwargs={"lease": lease, "into": reports, "clock": run_clock})
        long_run.start()
        # 25 messages: on its clock the long run has been going for more than its lease
        wait_until(lambda: len(relay.messages) >= 25, "25 messages from the long run")
        second = _send(app, port, NOW + timedelta(seconds=run_clock()), lease=lease)
        long_run.join(timeout=60)
        assert not long_run.is_alive()
        drained = _send(app, port, NOW + timedelta(days=1), lease=lease)

    assert second.attempted == 0 and drained.attempted == 0
    assert reports[0].sent == 40 and reports[0].stopped is None
    copies = _copies(relay)
    assert len(copies) == 40 and max(copies.values()) == 1
    assert set(db.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT.value}


def test_a_sender_stopped_longer_than_its_lease_records_nothing_more_and_sends_nothing_more(
    app: Flask, db: Session
) -> None:
    lease = timedelta(minutes=1)
    _queue(db, 3)
    relay = HoldingRelay()
    reports: list[DeliveryReport] = []
    with running(relay) as port:
        stopped = threading.Thread(target=_send, args=(app, port, NOW),
                                   kwargs={"lease": lease, "into": reports})
        stopped.start()
        wait_until(relay.holding.is_set, "the first sender in the middle of its first message")
        # As if the first sender were frozen for two minutes: its lease has run out.
        other = _send(app, port, NOW + timedelta(minutes=2), lease=lease)
        relay.release.set()
        stopped.join(timeout=60)
        assert not stopped.is_alive()
        drained = _send(app, port, NOW + timedelta(days=1), lease=lease)

    assert other.sent == 3 and drained.attempted == 0
    assert reports[0].sent == 0 and reports[0].stopped and "claim" in reports[0].stopped
    copies = _copies(relay)
    # Only the message in flight when the claim ran out has a copy, with the same Message-ID.
    assert sorted(copies.values()) == [1, 1, 2] and len(relay.messages) == 4
    assert set(db.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT.value}


def test_a_run_stops_after_its_time_budget_and_the_next_run_carries_on(
    app: Flask, db: Session
) -> None:
    _queue(db, 20)  # 0.1 s a message: 2 s, four times the budget
    relay = SlowRelay(0.1)
    with running(relay) as port:
        transport = SmtpTransport(SmtpSettings("127.0.0.1", port, timeout=30))
        # the run's clock: 0.1 s a message relayed, so a starved machine cannot end it early
        short = deliver_outbox(get_db(app).sessionmaker, transport, sender=SENDER, now=NOW,
                               limits=DeliveryLimits(run_seconds=0.5),
                               clock=lambda: len(relay.messages) * 0.1)
        rest = _send(app, port, NOW + timedelta(minutes=5), lease=mail.LEASE)

    assert short.stopped and "0.5 s" in short.stopped and 5 <= short.sent < 20
    assert short.sent + rest.sent == 20 and rest.stopped is None
    copies = _copies(relay)
    assert len(copies) == 20 and max(copies.values()) == 1
