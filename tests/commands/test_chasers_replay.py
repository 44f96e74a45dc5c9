"""Replaying a whole cycle day by day through `flask chasers send --now` with a real SMTP server."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Chaser, Role
from tests.support import factories
from tests.support.chaser_helpers import (
    EXPECTED_DATES,
    address_of,
    chasers_send,
    days,
    kind_of,
    open_cycle_with,
    subject_of,
    submit,
)

NEVER = "Riverside NHS Trust"
LATE_TOO = "Hilltop Youth Club"
SUBMITS = "St Mary's School"


def test_a_replayed_cycle_sends_each_stage_once_on_its_working_day(
    app: Any, db: Session, tool: Any, mailbox: Any
) -> None:
    manager = factories.user(db, Role.MANAGER, email="manager@partnership.example.org")
    arranged = open_cycle_with(db, [NEVER, LATE_TOO, SUBMITS])
    received: dict[str, list[tuple[date, str]]] = {n: [] for n in arranged.agencies}
    summaries: list[tuple[date, str]] = []

    for day in days(date(2018, 5, 7), date(2018, 6, 29)):
        if day == date(2018, 5, 30):
            submit(db, arranged.returns[SUBMITS], datetime(2018, 5, 30, 12))
        before = len(mailbox.messages)
        output = chasers_send(app, day).output
        new = mailbox.messages[before:]
        for message in new:
            owner = next((n for n in received if message["To"] == address_of(n)), None)
            if owner:
                received[owner].append((day, kind_of(message["Subject"])))
            else:
                assert message["To"] == manager.email
                summaries.append((day, message.get_body(("plain",)).get_content()))
        if new:  # a rerun on the same day sends nothing
            assert "Chasers queued: 0" in chasers_send(app, day).output
            assert len(mailbox.messages) == before + len(new), output

    every_stage = sorted((when, kind) for kind, when in EXPECTED_DATES.items())
    assert received[NEVER] == every_stage
    assert received[LATE_TOO] == every_stage
    assert received[SUBMITS] == [(date(2018, 5, 11), "Reminder"), (date(2018, 5, 25), "Due today")]
    assert [day for day, _ in summaries] == [date(2018, 6, 25)]
    assert NEVER in summaries[0][1] and LATE_TOO in summaries[0][1]
    assert SUBMITS not in summaries[0][1]
    assert db.scalar(select(func.count(Chaser.id))) == 12


def test_a_chaser_email_names_the_agency_deadline_link_and_help(
    app: Any, db: Session, tool: Any, mailbox: Any
) -> None:
    open_cycle_with(db, [NEVER])
    chasers_send(app, date(2018, 5, 11))

    [message] = mailbox.to(address_of(NEVER))
    assert subject_of(message) == (
        "Reminder: Riverside NHS Trust's Compact Audit return is due by 25 May 2018")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Riverside NHS Trust" in part
        assert "25 May 2018" in part
        assert "http://portal.test/agency/" in part
        assert "safeguarding.partnership@example.org" in part
    assert "Dear Lead" in text


def test_missed_days_catch_up_with_only_the_latest_due_stage(
    app: Any, db: Session, tool: Any, mailbox: Any
) -> None:
    open_cycle_with(db, [NEVER])

    chasers_send(app, date(2018, 5, 14))  # the run of Friday 11 May never happened
    chasers_send(app, date(2018, 6, 5))  # nor those of 25 May and 4 June

    subjects = [kind_of(m["Subject"]) for m in mailbox.to(address_of(NEVER))]
    assert subjects == ["Reminder", "Overdue"]


def test_submitted_returns_are_never_chased(app: Any, db: Session, tool: Any, mailbox: Any) -> None:
    arranged = open_cycle_with(db, [SUBMITS])
    submit(db, arranged.returns[SUBMITS], datetime(2018, 5, 2, 10))

    for day in (date(2018, 5, 11), date(2018, 5, 25), date(2018, 6, 25)):
        assert "Chasers queued: 0" in chasers_send(app, day).output
    assert mailbox.to(address_of(SUBMITS)) == []


def test_two_chasers_to_one_agency_are_at_least_two_working_days_apart(
    app: Any, db: Session, tool: Any, mailbox: Any
) -> None:
    open_cycle_with(db, [NEVER])
    chasers_send(app, date(2018, 5, 24))  # catches up the reminder on Thursday

    held = chasers_send(app, date(2018, 5, 25)).output  # the deadline stage must wait
    assert "held for Riverside NHS Trust" in held
    chasers_send(app, date(2018, 5, 28))  # bank holiday: still only one working day since
    chasers_send(app, date(2018, 5, 29))

    received = [kind_of(m["Subject"]) for m in mailbox.to(address_of(NEVER))]
    # The deadline stage goes out on 29 May, after the deadline: it says so, not "due today".
    assert received == ["Reminder", "Overdue"]


def test_a_cycle_opened_without_stages_gets_the_defaults_on_its_first_run(
    app: Any, db: Session, tool: Any, mailbox: Any
) -> None:
    open_cycle_with(db, [NEVER], stages=False)

    chasers_send(app, date(2018, 5, 11))

    assert [kind_of(m["Subject"]) for m in mailbox.to(address_of(NEVER))] == ["Reminder"]
