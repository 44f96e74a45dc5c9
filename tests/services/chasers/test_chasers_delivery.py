"""Chasers through the outbox: an SMTP outage loses nothing, a 550 stops chasing that address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import create_app
from portal.db import get_db
from portal.models import OutboxMessage, OutboxStatus
from portal.services import register
from portal.services.chasers import bounced_contacts
from tests.support import free_port
from tests.support.chaser_helpers import address_of, chasers_send, kind_of, open_cycle_with

NAMES = ["Riverside NHS Trust", "Hilltop Youth Club", "St Mary's School"]


@pytest.fixture
def app_without_smtp(app: Flask) -> Iterator[Flask]:
    """The same database, but MAIL_PORT points at a port where nothing listens."""
    down = create_app(
        "testing", DATABASE_URL=app.config["DATABASE_URL"], MAIL_SERVER="127.0.0.1",
        MAIL_PORT=free_port(), SECRET_KEY=app.config["SECRET_KEY"],
        SERVER_NAME_FOR_LINKS=app.config["SERVER_NAME_FOR_LINKS"],
    )
    yield down
    get_db(down).engine.dispose()


def test_chasers_queued_while_smtp_is_down_are_delivered_once_it_is_back(
    app: Flask, app_without_smtp: Flask, db: Session, tool: Any, mailbox: Any
) -> None:
    open_cycle_with(db, NAMES)

    first = chasers_send(app_without_smtp, date(2018, 5, 11)).output
    second = chasers_send(app_without_smtp, date(2018, 5, 14)).output
    assert "Chasers queued: 3" in first and "Email is not being delivered" in first
    assert "Chasers queued: 0" in second and "Email is not being delivered" in second
    assert mailbox.messages == []

    back = chasers_send(app, date(2018, 5, 15)).output
    assert "sent 3" in back
    chasers_send(app, date(2018, 5, 16))
    for name in NAMES:
        assert [kind_of(m["Subject"]) for m in mailbox.to(address_of(name))] == ["Reminder"]
    messages = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "chaser")).all()
    # a server that is down is a sender problem: no message used up an attempt
    assert {(m.status, m.attempts) for m in messages} == {(OutboxStatus.SENT.value, 1)}


def test_a_550_marks_the_contact_bounced_and_it_is_not_chased_again(
    app: Flask, db: Session, tool: Any, mailbox: Any
) -> None:
    arranged = open_cycle_with(db, NAMES)
    bad = address_of("Hilltop Youth Club")
    mailbox.reject.add(bad)

    assert "failed 1" in chasers_send(app, date(2018, 5, 11)).output
    later = chasers_send(app, date(2018, 5, 25)).output

    assert "held for Hilltop Youth Club: no working email address" in later
    assert mailbox.to(bad) == []
    assert [kind_of(m["Subject"]) for m in mailbox.to(address_of("Riverside NHS Trust"))] == [
        "Reminder", "Due today"]
    [bounced] = bounced_contacts(db, arranged.cycle)
    assert bounced.email == bad and "550" in (bounced.bounce_reason or "")


def test_a_corrected_address_is_chased_at_the_next_run(
    app: Flask, db: Session, tool: Any, mailbox: Any
) -> None:
    arranged = open_cycle_with(db, ["Hilltop Youth Club"])
    mailbox.reject.add(address_of("Hilltop Youth Club"))
    chasers_send(app, date(2018, 5, 11))
    agency = arranged.agencies["Hilltop Youth Club"]
    register.update_agency(db, agency, register.AgencyDetails(
        name=agency.name, sector_id=agency.sector_id, contact_name="New Lead",
        email="new.lead@hilltop.example.org", cohort=None, variant=None))
    db.commit()

    chasers_send(app, date(2018, 5, 25))

    assert [kind_of(m["Subject"]) for m in mailbox.to("new.lead@hilltop.example.org")] == [
        "Due today"]
    assert bounced_contacts(db, arranged.cycle) == []


def test_a_cron_at_a_quarter_past_midnight_bst_sends_due_today_on_the_deadline(
    app: Flask, db: Session, tool: Any, mailbox: Any
) -> None:
    open_cycle_with(db, ["Riverside NHS Trust"])  # deadline Friday 25 May 2018, in BST
    address = address_of("Riverside NHS Trust")
    chasers_send(app, datetime(2018, 5, 11, 7))  # the reminder
    output = chasers_send(app, datetime(2018, 5, 24, 23, 15)).output  # 00:15 BST on 25 May
    assert "2018-05-25 2018-19: On the deadline to Riverside NHS Trust" in output
    assert [kind_of(m["Subject"]) for m in mailbox.to(address)] == ["Reminder", "Due today"]


def test_a_chaser_whose_email_was_never_delivered_is_not_counted_as_sent(
    app: Flask, db: Session, tool: Any, mailbox: Any
) -> None:
    from portal.services.chasers import cycle_chasing

    arranged = open_cycle_with(db, ["Riverside NHS Trust", "Hilltop Youth Club"])
    chasers_send(app, date(2018, 5, 11))
    lost = db.scalars(select(OutboxMessage).where(
        OutboxMessage.to_address == address_of("Hilltop Youth Club"))).one()
    lost.status = OutboxStatus.UNDELIVERED.value  # as after 7 days of a mail server outage
    db.commit()
    counts = {row.agency: row.chasers for row in cycle_chasing(db, arranged.cycle)}
    assert counts == {"Riverside NHS Trust": 1, "Hilltop Youth Club": 0}
