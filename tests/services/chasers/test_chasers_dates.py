"""Chasers are always right about dates: a missed week and a late final notice are caught up in
words that suit the day they are sent, and a closed cycle is never chased."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.services import chasers, cycles
from portal.services.accounts import LinkSettings
from portal.services.common import ServiceError
from tests.support.chaser_helpers import (
    address_of,
    chasers_send,
    days,
    kind_of,
    open_cycle_with,
    subject_of,
)

LATE = "Riverside NHS Trust"
LINKS = LinkSettings(secret_key="x" * 32, base_url="http://portal.test", hours=24,
                     partnership="Test Partnership",
                     help_email="help@example.org")


def _text(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def test_a_missed_week_is_caught_up_once_without_calling_another_day_today(
    app: Any, db: Session, tool: Any, mailbox: Any
) -> None:
    open_cycle_with(db, [LATE])  # deadline Friday 25 May 2018, final deadline 25 June
    for day in days(date(2018, 5, 7), date(2018, 5, 18)):
        chasers_send(app, day)
    # No run from 19 to 29 May (the deadline passes unseen); the run on 30 May catches up.
    for day in days(date(2018, 5, 30), date(2018, 6, 1)):
        chasers_send(app, day)

    received = mailbox.to(address_of(LATE))
    assert [kind_of(subject_of(m)) for m in received] == ["Reminder", "Overdue"]
    caught_up = received[1]
    assert subject_of(caught_up) == (
        "Overdue: Riverside NHS Trust's Compact Audit return was due on 25 May 2018")
    body = _text(caught_up)
    assert "The deadline was 25 May 2018, and it has passed" in body
    assert "Deadline: 25 May 2018 (passed)" in body
    assert "today" not in (body + subject_of(caught_up)).lower()


def test_a_final_notice_sent_after_the_final_deadline_says_it_has_passed_and_when(
    app: Any, db: Session, tool: Any, mailbox: Any
) -> None:
    open_cycle_with(db, [LATE])
    chasers_send(app, date(2018, 6, 28))  # three days after the final deadline, 25 June

    [late] = mailbox.to(address_of(LATE))
    assert subject_of(late) == ("Final deadline passed: Riverside NHS Trust's Compact Audit "
                                "return was due by 25 June 2018")
    body = _text(late)
    assert "The final deadline for Riverside NHS Trust's Compact Audit self-assessment was " \
           "25 June 2018, and it has passed" in body
    assert "Final deadline: 25 June 2018 (passed)" in body
    assert "today" not in (body + subject_of(late)).lower()


def test_a_final_notice_on_the_day_names_the_date_as_today(
    app: Any, db: Session, tool: Any, mailbox: Any
) -> None:
    open_cycle_with(db, [LATE])
    chasers_send(app, date(2018, 6, 25))

    [notice] = mailbox.to(address_of(LATE))
    assert subject_of(notice) == ("Final notice: Riverside NHS Trust's Compact Audit return must "
                                  "be submitted by the end of today, 25 June 2018")
    assert "Today, 25 June 2018, is the final deadline" in _text(notice)


def test_no_chaser_is_sent_for_a_closed_cycle(
    app: Any, db: Session, tool: Any, mailbox: Any
) -> None:
    arranged = open_cycle_with(db, [LATE])
    cycles.close_cycle(db, arranged.cycle, now=datetime(2018, 6, 26, 9))
    db.commit()

    for day in days(date(2018, 6, 26), date(2018, 7, 3)):
        assert "Chasers queued: 0" in chasers_send(app, day).output
    assert mailbox.to(address_of(LATE)) == []
    with pytest.raises(ServiceError, match="is closed: chasers are sent only while"):
        chasers.send_adhoc_chaser(db, arranged.returns[LATE], now=datetime(2018, 7, 2, 9),
                                  links=LINKS)
    with pytest.raises(ServiceError, match="is closed"):
        chasers.chase_all_overdue(db, arranged.cycle, now=datetime(2018, 7, 2, 9), links=LINKS)
