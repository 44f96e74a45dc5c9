"""A chaser held for the minimum gap names the day of the last chaser as the UK calendar has
it, not the UTC one (they differ late in a summer evening)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.services.accounts import LinkSettings
from portal.services.chasers import send_due_chasers
from tests.support.chaser_helpers import open_cycle_with

LINKS = LinkSettings(secret_key="k" * 40, base_url="http://portal.test", hours=72,
                     partnership="Anyshire Safeguarding Children Partnership",
                     help_email="help@example.org")


def test_a_held_chaser_names_the_uk_day_of_the_last_chaser(db: Session, tool: Any) -> None:
    open_cycle_with(db, ["Riverside Youth Club"])
    # 23:30 UTC on Thursday 24 May 2018 is 00:30 BST on Friday 25 May: the deadline stage goes
    first = send_due_chasers(db, now=datetime(2018, 5, 24, 23, 30), links=LINKS)
    assert [s.stage for s in first.sent] == ["On the deadline"]

    later = send_due_chasers(db, now=datetime(2018, 6, 4, 7), links=LINKS,
                             min_gap_working_days=10)

    assert later.sent == []
    assert later.held == [("Riverside Youth Club",
                           "chased on 25 May 2018, less than 10 working days ago: "
                           "the next run sends it")]
