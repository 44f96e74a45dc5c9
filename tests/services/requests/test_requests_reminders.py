"""Information requests: invitations, and reminders by the chasers' rules replayed day by day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.delivery import deliver_from_app
from portal.models import RequestReminder
from tests.support.chaser_helpers import address_of, chasers_send, days, subject_of
from tests.support.request_helpers import agencies, answer, send

HEALTH = ["Riverside NHS Trust", "Hilltop Community Health", "Valley Hospital"]
SILENT = "Valley Hospital"


def _reminders(mailbox: Any, name: str) -> list[str]:
    return [subject_of(m) for m in mailbox.to(address_of(name)) if
            subject_of(m).startswith("Reminder:")]


def test_a_sector_request_reminds_only_the_non_answerer_once_two_working_days_before(
    app: Flask, db: Session, mailbox: Any
) -> None:
    made = agencies(db, {"Health": HEALTH, "GP practices": ["Elm Surgery"]})
    # Deadline Friday 25 May 2018 (before the late May bank holiday): reminder Wednesday 23 May.
    request = send(db, audience="sector", sector_id=made[HEALTH[0]].sector_id)
    deliver_from_app(app, now=datetime(2018, 5, 1, 9, 15))  # that morning's delivery cron
    assert sorted(r.agency.name for r in request.recipients) == sorted(HEALTH)
    answer(db, request, made["Riverside NHS Trust"], datetime(2018, 5, 10, 11))
    answer(db, request, made["Hilltop Community Health"], datetime(2018, 5, 21, 15))

    reminded_on: list[date] = []
    for day in days(date(2018, 5, 14), date(2018, 6, 1)):
        before = len(_reminders(mailbox, SILENT))
        output = chasers_send(app, day).output
        if len(_reminders(mailbox, SILENT)) > before:
            reminded_on.append(day)
            assert "Request reminders queued: 0" in chasers_send(app, day).output, output

    assert reminded_on == [date(2018, 5, 23)]
    assert _reminders(mailbox, SILENT) == [
        "Reminder: Valley Hospital has not yet answered “Training on working with disabled "
        "children”"]
    invitation = mailbox.to(address_of(SILENT))[0]
    assert subject_of(invitation) == ("Independent Chair asks Valley Hospital: Training on "
                                      "working with disabled children")
    assert f"http://portal.test/agency/requests/{request.id}" in \
        invitation.get_body(("plain",)).get_content()
    for name in ("Riverside NHS Trust", "Hilltop Community Health"):
        assert _reminders(mailbox, name) == []
    assert mailbox.to(address_of("Elm Surgery")) == []


def test_a_missed_reminder_day_catches_up_but_never_after_the_deadline(
    app: Flask, db: Session, mailbox: Any
) -> None:
    made = agencies(db, {"Health": ["Riverside NHS Trust"], "Statutory": ["County Police"]})
    send(db, audience="chosen", agency_names=["Riverside NHS Trust"])
    send(db, audience="chosen", agency_names=["County Police"], deadline=date(2018, 5, 18),
         title="Safer recruitment training")
    assert made

    chasers_send(app, date(2018, 5, 21))  # County Police's reminder (16 May) was missed: too late now
    chasers_send(app, date(2018, 5, 24))  # Riverside's (23 May) was missed: catches up today
    chasers_send(app, date(2018, 5, 24))

    assert len(_reminders(mailbox, "Riverside NHS Trust")) == 1
    assert _reminders(mailbox, "County Police") == []
    assert db.scalar(select(func.count(RequestReminder.id))) == 1


def test_flask_requests_remind_sends_the_same_reminders(app: Flask, db: Session, mailbox: Any) -> None:
    agencies(db, {"Health": ["Riverside NHS Trust"]})
    send(db, audience="all")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["requests", "remind", "--now", "2018-05-23T07:00"])
    assert result.exit_code == 0, result.output
    assert "Request reminders queued: 1" in result.output
    assert len(_reminders(mailbox, "Riverside NHS Trust")) == 1
