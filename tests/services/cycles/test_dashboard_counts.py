"""The dashboard's return list says how many returns its filters match from the grouped counts
it already has (by sector, status and carried over), not by counting the returns again: the
figure must equal a count of the filtered returns for every filter, before and after the
deadline. The history of return rates counts each cycle from the index of returns."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import Agency, Cycle, Return, ReturnStatus, Sector
from portal.services import cycles
from portal.services.cycles import ReturnFilter
from tests.support import factories

OPENED = datetime(2030, 11, 1)
STATUSES = [ReturnStatus.NOT_STARTED, ReturnStatus.IN_PROGRESS, ReturnStatus.REOPENED,
            ReturnStatus.SUBMITTED]


def _cycle_of_every_kind(db: Session, label: str, deadline: date, cohort: str) -> Cycle:
    """Returns in two sectors, of every status, carried over or not."""
    sectors = db.scalars(select(Sector).order_by(Sector.position).limit(2)).all()
    for n, (sector, _status, _carried) in enumerate(
            itertools.product(sectors, STATUSES, (False, True))):
        factories.agency(db, f"{label} agency {n}", cohort=cohort, sector_name=sector.name)
    cycle = cycles.create_cycle(db, label=label, cohort=cohort, deadline=deadline, now=OPENED)
    opened = cycles.open_cycle(db, cycle, now=OPENED, links=None)
    kinds = itertools.product(STATUSES, (False, True))
    for return_, (status, carried) in zip(opened, itertools.cycle(list(kinds)), strict=False):
        db.execute(update(Return).where(Return.id == return_.id)
                   .values(status=status.value, carried_over=carried))
    db.commit()
    return cycle


def test_every_filters_total_is_the_count_of_the_returns_it_lists(db: Session, tool: Any) -> None:
    cycle = _cycle_of_every_kind(db, "2030-31", date(2031, 1, 31), "A")
    sector_ids = [None, *db.scalars(select(Agency.sector_id).distinct())]
    statuses = [None, *cycles.STATUS_FILTERS, "no-such-status"]
    checked = 0
    for now in (datetime(2030, 12, 1), datetime(2031, 3, 1)):  # before and after the deadline
        sectors = cycles.sector_figures(db, cycle)
        for status, sector_id, carried in itertools.product(statuses, sector_ids,
                                                            (None, False, True)):
            filters = ReturnFilter(status=status, sector_id=sector_id, carried_over=carried)
            listed = cycles.filtered_return_ids(db, cycle, filters, now=now)
            assert cycles.matching_count(sectors, filters, cycle, now=now) == len(listed), filters
            checked += len(listed)
        dashboard = cycles.build_dashboard(db, cycle, now=now, filters=ReturnFilter())
        assert dashboard.returns_total == len(dashboard.returns) == 16
    assert checked > 0


def test_the_history_counts_every_cycle_and_each_sector(db: Session, tool: Any) -> None:
    older = _cycle_of_every_kind(db, "2029-30", date(2030, 1, 31), "B")
    newer = _cycle_of_every_kind(db, "2030-31", date(2031, 1, 31), "A")
    sector = db.scalars(select(Sector.id).order_by(Sector.position)).first()
    rates = {}
    for of_sector in (None, sector):
        rates[of_sector] = {r.cycle_id: (r.issued, r.submitted)
                            for r in cycles.cycle_rates(db, sector_id=of_sector)}
        assert rates[of_sector] == {c.id: _counted(db, c, of_sector) for c in (older, newer)}
    assert rates[None][older.id] == (16, 4) and rates[sector][older.id][0] == 8
    assert [r.cycle_id for r in cycles.cycle_rates(db, up_to=date(2030, 6, 1))] == [older.id]


def _counted(db: Session, cycle: Cycle, sector_id: int | None) -> tuple[int, int]:
    """The cycle's issued and submitted returns (of one sector), counted row by row."""
    rows = db.execute(select(Return.status, Agency.sector_id).join(Agency)
                      .where(Return.cycle_id == cycle.id)).all()
    mine = [status for status, sector in rows if sector_id in (None, sector)]
    return len(mine), mine.count(ReturnStatus.SUBMITTED.value)
