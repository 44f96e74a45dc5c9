"""A bulk chase's preview is what the send would queue: held agencies are named, not messaged,
and a send confirmed for a count that no longer holds changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import OutboxMessage
from portal.services import chasers
from portal.services.accounts import LinkSettings
from portal.services.common import ServiceError
from tests.support.chaser_helpers import address_of, open_cycle_with

LINKS = LinkSettings(secret_key="k" * 40, base_url="http://portal.test", hours=72,
                     partnership="Anyshire Safeguarding Children Partnership",
                     help_email="help@example.org")
OVERDUE = datetime(2018, 6, 12, 9)  # after the 25 May 2018 deadline


def test_the_overdue_preview_names_a_recently_chased_agency_and_sends_it_nothing(
    db: Session, tool: Any
) -> None:
    arranged = open_cycle_with(db, ["Abbey Youth Club", "Brook Surgery"])
    chasers.send_adhoc_chaser(db, arranged.returns["Brook Surgery"], now=OVERDUE, links=LINKS)
    queued = db.scalar(select(func.count(OutboxMessage.id)))

    preview = chasers.preview_chase_overdue(db, arranged.cycle, now=OVERDUE, links=LINKS)

    assert [m.to for m in preview.messages] == [address_of("Abbey Youth Club")]
    assert [agency for agency, _ in preview.held] == ["Brook Surgery"]
    assert db.scalar(select(func.count(OutboxMessage.id))) == queued  # a preview queues nothing
    run = chasers.chase_all_overdue(db, arranged.cycle, now=OVERDUE, links=LINKS, expected=1)
    assert [s.agency for s in run.sent] == ["Abbey Youth Club"]
    sent = db.scalars(select(OutboxMessage).where(
        OutboxMessage.to_address == address_of("Abbey Youth Club"))).one()
    assert (sent.subject, sent.body_text, sent.body_html) == (
        preview.messages[0].subject, preview.messages[0].text, preview.messages[0].html)


def test_a_send_confirmed_for_another_count_is_refused_and_queues_nothing(
    db: Session, tool: Any
) -> None:
    arranged = open_cycle_with(db, ["Abbey Youth Club", "Brook Surgery"])

    with pytest.raises(ServiceError, match="The list has changed since you checked it: 2 emails"):
        chasers.send_due_chasers(db, now=OVERDUE, links=LINKS, cycle=arranged.cycle, expected=1)

    assert db.scalar(select(func.count(OutboxMessage.id))) == 0


def test_nothing_is_due_before_the_first_stage(db: Session, tool: Any) -> None:
    arranged = open_cycle_with(db, ["Abbey Youth Club"], deadline=date(2018, 12, 28))

    preview = chasers.preview_due_chasers(db, arranged.cycle, now=OVERDUE, links=LINKS)

    assert preview.count == 0 and preview.message(0) is None
