"""The cycle downloads give times in UK time, with the offset, as the pages do: an escalation
made at 23:30 UTC on 30 June is made at 00:30 on 1 July in the UK."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.services import cycles
from tests.support import factories


def _closed_cycle(db: Session) -> Any:
    factories.agency(db, "Abbey Surgery")
    cycle = cycles.create_cycle(db, label="2026-27", cohort="A", deadline=date(2026, 5, 29),
                                now=datetime(2026, 4, 1))
    returns = cycles.open_cycle(db, cycle, now=datetime(2026, 4, 1), links=None)
    returns[0].last_activity_at = datetime(2026, 5, 1, 23, 15)
    cycles.close_cycle(db, cycle, now=datetime(2026, 6, 30, 23, 30))
    return cycle


def test_the_escalations_csv_gives_uk_times(db: Session, tool: Any) -> None:
    _closed_cycle(db)
    rows = list(csv.DictReader(io.StringIO(cycles.escalations_csv(
        cycles.list_escalations(db, cycles.EscalationFilter())))))
    assert [r["created_at"] for r in rows] == ["2026-07-01T00:30+01:00"]


def test_the_returns_list_csv_gives_uk_times(db: Session, tool: Any) -> None:
    cycle = _closed_cycle(db)
    rows = list(csv.DictReader(io.StringIO(cycles.return_list_csv(
        db, cycle, cycles.ReturnFilter(), now=datetime(2026, 7, 2), with_contacts=False))))
    assert [r["last_activity_at"] for r in rows] == ["2026-05-02T00:15+01:00"]
