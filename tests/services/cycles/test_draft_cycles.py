"""A draft cycle can be changed and deleted until it opens; a deleted draft frees its label."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.services import cycles
from portal.services.common import ServiceError
from tests.support import factories

NOW = datetime(2030, 9, 1, 9)


def test_a_draft_cycle_changes_label_cohort_and_deadlines(db: Session, tool: Any) -> None:
    draft = cycles.create_cycle(db, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                                now=NOW)

    cycles.update_draft(db, draft, label="2031-32", cohort="B", deadline=date(2031, 3, 28),
                        final_deadline=date(2031, 4, 30))

    found = cycles.get_cycle(db, "2031-32")
    assert (found.id, found.cohort, found.deadline, found.final_deadline) == (
        draft.id, "B", date(2031, 3, 28), date(2031, 4, 30))


def test_a_draft_cannot_take_another_cycles_label_or_end_before_its_deadline(
    db: Session, tool: Any
) -> None:
    cycles.create_cycle(db, label="2029-30", cohort="B", deadline=date(2030, 1, 31), now=NOW)
    draft = cycles.create_cycle(db, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                                now=NOW)
    with pytest.raises(ServiceError, match="A cycle labelled 2029-30 already exists"):
        cycles.update_draft(db, draft, label="2029-30", cohort="A", deadline=date(2031, 1, 31))
    with pytest.raises(ServiceError, match="on or after the deadline"):
        cycles.update_draft(db, draft, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                            final_deadline=date(2031, 1, 1))
    cycles.update_draft(db, draft, label="2030-31", cohort="A", deadline=date(2031, 2, 28))
    assert draft.final_deadline == date(2031, 3, 28)  # 20 working days on, by default


def test_a_deleted_draft_frees_its_label(db: Session, tool: Any) -> None:
    draft = cycles.create_cycle(db, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                                now=NOW)

    cycles.delete_draft(db, draft)

    assert [c.label for c in cycles.list_cycles(db)] == []
    again = cycles.create_cycle(db, label="2030-31", cohort="B", deadline=date(2031, 2, 28),
                                now=NOW)
    assert again.cohort == "B"


def test_an_opened_cycle_can_be_neither_changed_nor_deleted(db: Session, tool: Any) -> None:
    factories.agency(db, "Abbey Surgery")
    opened = cycles.create_cycle(db, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                                 now=NOW)
    cycles.open_cycle(db, opened, now=NOW, links=None)

    with pytest.raises(ServiceError, match="only a draft cycle can be changed"):
        cycles.update_draft(db, opened, label="2031-32", cohort="A", deadline=date(2031, 1, 31))
    with pytest.raises(ServiceError, match="only a draft cycle can be deleted"):
        cycles.delete_draft(db, opened)
    assert cycles.get_cycle(db, "2030-31").status == "open"
