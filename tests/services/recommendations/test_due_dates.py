"""A recommendation is due today or later, by the UK date of the moment it is recorded (issue 27)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.services.common import Invalid
from portal.services.recommendations import NewRecommendation, record_recommendation
from tests.support.returns_helpers import issue


def _new(due_on: date) -> NewRecommendation:
    return NewRecommendation(text="Train the staff who recruit", standards=["6"],
                             owner_kind="chair", owner_name="Independent Chair", due_on=due_on)


def test_a_past_due_date_is_refused_on_its_field(db: Session, tool: Any) -> None:
    cycle = issue(db)
    with pytest.raises(Invalid) as refused:
        record_recommendation(db, cycle, _new(date(2026, 11, 30)), now=datetime(2026, 12, 1, 9))
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("due_on", "The date the recommendation is due must be today or in the future")]


def test_today_in_the_uk_is_accepted_though_utc_is_still_yesterday(db: Session, tool: Any) -> None:
    cycle = issue(db)
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): 1 July is today, not past
    made = record_recommendation(db, cycle, _new(date(2026, 7, 1)), now=datetime(2026, 6, 30, 23, 30))
    assert made.due_on == date(2026, 7, 1)
