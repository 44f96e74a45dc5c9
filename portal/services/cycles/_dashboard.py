"""A cycle's dashboard: who has returned, by sector and over the years, counted in SQL.

A fixed handful of grouped queries whatever the number of agencies: the status counts per sector,
the return rate of every cycle, and one page of the return list (with its total).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, false, func, select
from sqlalchemy.orm import Session

from portal.models import Agency, Chaser, Contact, Cycle, CycleStatus, Return, ReturnStatus, Sector
from portal.services.common import csv_text, uk_iso

from ._lifecycle import is_past_deadline

LIST_PAGE_SIZE = 100
OVERDUE = "overdue"
NOT_SUBMITTED = "not_submitted"
AT_RISK = "at_risk"  # carried over and not submitted: a second miss means a Chair meeting
STATUS_FILTERS = [s.value for s in ReturnStatus] + [NOT_SUBMITTED, OVERDUE, AT_RISK]
IN_PROGRESS_STATUSES = (ReturnStatus.IN_PROGRESS.value, ReturnStatus.REOPENED.value)


@dataclass
class Counts:
    """Returns by status; `in_progress` includes reopened returns (being worked on again)."""

    issued: int = 0
    not_started: int = 0
    in_progress: int = 0
    reopened: int = 0
    submitted: int = 0
    carried_over: int = 0
    at_risk: int = 0  # carried over and not submitted

    @property
    def not_submitted(self) -> int:
        return self.issued - self.submitted

    @property
    def rate(self) -> float | None:
        return self.submitted / self.issued if self.issued else None

    def add(self, status: str, carried_over: bool, count: int) -> None:
        self.issued += count
        self.carried_over += count if carried_over else 0
        if carried_over and status != ReturnStatus.SUBMITTED.value:
            self.at_risk += count
        if status == ReturnStatus.SUBMITTED.value:
            self.submitted += count
        elif status == ReturnStatus.NOT_STARTED.value:
            self.not_started += count
        else:
            self.in_progress += count
            self.reopened += count if status == ReturnStatus.REOPENED.value else 0


@dataclass
class SectorFigures:
    sector_id: int
    name: str
    position: int
    counts: Counts = field(default_factory=Counts)
    share_of_non_returners: float | None = None
    # the grouped rows counted: (status, carried over, returns)
    cells: list[tuple[str, bool, int]] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class CycleRate:
    cycle_id: int
    label: str
    cohort: str
    status: str
    issued: int
    submitted: int

    @property
    def rate(self) -> float | None:
        return self.submitted / self.issued if self.issued else None


@dataclass(frozen=True)
class ReturnRow:
    return_id: int
    agency_id: int
    agency: str
    sector: str
    status: str
    carried_over: bool
    overdue: bool
    contact_name: str | None
    contact_email: str | None
    last_chaser_at: datetime | None
    last_activity_at: datetime | None


@dataclass(frozen=True)
class ReturnFilter:
    status: str | None = None
    sector_id: int | None = None
    carried_over: bool | None = None
    page: int = 1


@dataclass
class Dashboard:
    cycle: Cycle
    now: datetime
    overdue: int
    totals: Counts
    sectors: list[SectorFigures]
    history: list[CycleRate]
    returns: list[ReturnRow]
    returns_total: int
    filters: ReturnFilter

    @property
    def top_non_returning_sector(self) -> SectorFigures | None:
        """The sector with the largest share of non-returners (the MESC report's headline)."""
        candidates = [s for s in self.sectors if s.counts.not_submitted]
        return max(candidates, key=lambda s: (s.counts.not_submitted, -s.position), default=None)

    @property
    def pages(self) -> int:
        return max((self.returns_total + LIST_PAGE_SIZE - 1) // LIST_PAGE_SIZE, 1)


def build_dashboard(
    session: Session, cycle: Cycle, *, now: datetime, filters: ReturnFilter | None = None
) -> Dashboard:
    """Everything the dashboard shows for one cycle, as of `now`."""
    filters = filters or ReturnFilter()
    sectors = share_non_returners(sector_figures(session, cycle))
    totals = sum_counts(sectors)
    rows, total = return_list(session, cycle, filters, now=now,
                              total=matching_count(sectors, filters, cycle, now=now))
    return Dashboard(
        cycle=cycle, now=now, overdue=totals.not_submitted if is_past_deadline(cycle, now=now) else 0,
        totals=totals, sectors=sectors, history=cycle_rates(session, up_to=cycle.deadline),
        returns=rows, returns_total=total, filters=filters,
    )


def sum_counts(sectors: list[SectorFigures]) -> Counts:
    """The cycle's totals: the sum of its sectors' (already grouped) counts."""
    totals = Counts()
    for s in sectors:
        for name in ("issued", "not_started", "in_progress", "reopened", "submitted",
                     "carried_over", "at_risk"):
            setattr(totals, name, getattr(totals, name) + getattr(s.counts, name))
    return totals


def share_non_returners(sectors: list[SectorFigures]) -> list[SectorFigures]:
    """Set each sector's share of all the cycle's non-returners (None when everyone returned)."""
    total = sum_counts(sectors).not_submitted
    for s in sectors:
        if total:
            s.share_of_non_returners = s.counts.not_submitted / total
    return sectors


def cycle_totals(session: Session, cycle: Cycle) -> Counts:
    """Returns by status for the whole cycle."""
    return sum_counts(sector_figures(session, cycle))


def sector_figures(
    session: Session, cycle: Cycle, *, sector_id: int | None = None
) -> list[SectorFigures]:
    """Returns per sector (or of one sector) by status, counted in one grouped query."""
    query = (
        select(Sector.id, Sector.name, Sector.position, Return.status, Return.carried_over,
               func.count(Return.id))
        .select_from(Return).join(Agency, Return.agency_id == Agency.id).join(Sector)
        .where(Return.cycle_id == cycle.id)
        .group_by(Sector.id, Sector.name, Sector.position, Return.status, Return.carried_over)
    )
    if sector_id is not None:
        query = query.where(Agency.sector_id == sector_id)
    rows = session.execute(query)
    figures: dict[int, SectorFigures] = {}
    for sector_id, name, position, status, carried_over, count in rows:
        entry = figures.setdefault(sector_id, SectorFigures(sector_id, name, position))
        entry.counts.add(status, bool(carried_over), int(count))
        entry.cells.append((status, bool(carried_over), int(count)))
    return sorted(figures.values(), key=lambda s: (s.position, s.name))


def matching_count(sectors: list[SectorFigures], filters: ReturnFilter, cycle: Cycle, *,
                   now: datetime) -> int:
    """How many of the cycle's returns the list's filters match, from the grouped counts
    (`sector_figures`) instead of counting the returns again: the same conditions as
    `_filtered`, on each (sector, status, carried over) group."""
    past = is_past_deadline(cycle, now=now)
    return sum(count for s in sectors if not filters.sector_id or s.sector_id == filters.sector_id
               for status, carried, count in s.cells
               if (filters.carried_over is None or carried == filters.carried_over)
               and _status_matches(filters.status, status, carried, past=past))


def _status_matches(wanted: str | None, status: str, carried: bool, *, past: bool) -> bool:
    """`_status_condition`, for one group of returns."""
    submitted = status == ReturnStatus.SUBMITTED.value
    if wanted == OVERDUE:
        return past and not submitted
    if wanted == NOT_SUBMITTED:
        return not submitted
    if wanted == AT_RISK:
        return carried and not submitted
    if wanted == ReturnStatus.IN_PROGRESS.value:
        return status in IN_PROGRESS_STATUSES
    if wanted in STATUS_FILTERS:
        return status == wanted
    return True


def cycle_rates(
    session: Session, *, up_to: date | None = None, sector_id: int | None = None
) -> list[CycleRate]:
    """Every opened cycle's issued and submitted returns (of every sector or one), oldest first,
    in one query. Each cycle's two counts are read from the index of returns by partnership,
    cycle and status (without a sector, no return row is read): a view does not scan every
    return of every year."""
    returns = [Return.partnership_id == Cycle.partnership_id, Return.cycle_id == Cycle.id]
    if sector_id is not None:
        returns.append(Return.agency_id.in_(select(Agency.id).where(Agency.sector_id == sector_id)))
    issued = select(func.count()).where(*returns).scalar_subquery()
    submitted = (select(func.count())
                 .where(*returns, Return.status == ReturnStatus.SUBMITTED.value).scalar_subquery())
    query = (
        select(Cycle.id, Cycle.label, Cycle.cohort, Cycle.status, issued, submitted)
        .where(Cycle.status != CycleStatus.DRAFT.value)
        .order_by(Cycle.deadline)
    )
    if up_to is not None:
        query = query.where(Cycle.deadline <= up_to)
    return [CycleRate(i, label, cohort, status, int(n), int(s or 0))
            for i, label, cohort, status, n, s in session.execute(query)]


def return_list(
    session: Session, cycle: Cycle, filters: ReturnFilter, *, now: datetime,
    page_size: int | None = LIST_PAGE_SIZE, total: int | None = None,
) -> tuple[list[ReturnRow], int]:
    """One page of the cycle's returns matching the filters (all of them without a page size),
    and how many match in all (counted here unless the caller knows: `total`)."""
    query = _filtered(cycle, filters, now=now)
    if total is None:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    listed_ids = _page_of(query, filters, page_size)
    last_chaser = (select(Chaser.return_id, func.max(Chaser.recorded_at).label("at"))
                   .where(Chaser.return_id.in_(listed_ids)).group_by(Chaser.return_id).subquery())
    contact_id = (select(Contact.agency_id,
                         func.coalesce(func.min(case((Contact.is_primary, Contact.id))),
                                       func.min(Contact.id)).label("id"))
                  .where(Contact.agency_id.in_(select(Return.agency_id)
                                               .where(Return.id.in_(listed_ids))))
                  .group_by(Contact.agency_id).subquery())
    listed = (
        query.add_columns(Contact.name, Contact.email, last_chaser.c.at)
        .where(Return.id.in_(listed_ids))
        .outerjoin(last_chaser, last_chaser.c.return_id == Return.id)
        .outerjoin(contact_id, contact_id.c.agency_id == Agency.id)
        .outerjoin(Contact, Contact.id == contact_id.c.id)
        .order_by(Agency.name, Return.id)
    )
    rows = session.execute(listed)
    past = is_past_deadline(cycle, now=now)
    return [
        ReturnRow(return_id=r_id, agency_id=a_id, agency=agency, sector=sector, status=status,
                  carried_over=bool(carried), overdue=past and status != ReturnStatus.SUBMITTED,
                  contact_name=c_name, contact_email=c_email, last_chaser_at=chased,
                  last_activity_at=active)
        for r_id, a_id, agency, sector, status, carried, active, c_name, c_email, chased in rows
    ], int(total)


def _page_of(query: Select[*tuple[Any, ...]], filters: ReturnFilter,
             page_size: int | None) -> Select[*tuple[Any, ...]]:
    """The ids of the returns on the page shown (all of them without a page size): the last
    chaser and the contact are looked up for these only, not for every return and contact."""
    ids = query.with_only_columns(Return.id).order_by(Agency.name, Return.id)
    if page_size is None:
        return ids
    return ids.offset((max(filters.page, 1) - 1) * page_size).limit(page_size)


def filtered_return_ids(
    session: Session, cycle: Cycle, filters: ReturnFilter, *, now: datetime
) -> list[int]:
    """Every return (not one page) matching the filters, by agency name."""
    query = _filtered(cycle, filters, now=now).order_by(Agency.name, Return.id)
    return [row[0] for row in session.execute(query)]


def return_list_csv(
    session: Session, cycle: Cycle, filters: ReturnFilter, *, now: datetime,
    with_contacts: bool
) -> str:
    """The whole filtered list as CSV (contacts' addresses for the manager only)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = ["cycle", "agency", "sector", "status", "carried_over", "overdue", "contact_name",
              "contact_email", "last_chaser_at", "last_activity_at"]
    writer.writerow([h for h in header if with_contacts or h != "contact_email"])
    rows, _ = return_list(session, cycle, filters, now=now, page_size=None)
    for r in rows:
        email = [r.contact_email or ""] if with_contacts else []
        writer.writerow([csv_text(v) for v in (
            cycle.label, r.agency, r.sector, r.status, "yes" if r.carried_over else "no",
            "yes" if r.overdue else "no", r.contact_name or "", *email,
            uk_iso(r.last_chaser_at), uk_iso(r.last_activity_at))])
    return out.getvalue()


def _status_condition(cycle: Cycle, status: str | None, *, now: datetime) -> list[Any]:
    not_submitted = Return.status != ReturnStatus.SUBMITTED.value
    if status == OVERDUE:
        return [not_submitted if is_past_deadline(cycle, now=now) else false()]
    if status == NOT_SUBMITTED:
        return [not_submitted]
    if status == AT_RISK:
        return [not_submitted, Return.carried_over.is_(True)]
    if status == ReturnStatus.IN_PROGRESS.value:  # as counted: reopened returns are in progress
        return [Return.status.in_(IN_PROGRESS_STATUSES)]
    if status in STATUS_FILTERS:
        return [Return.status == status]
    return []


def _filtered(cycle: Cycle, filters: ReturnFilter, *, now: datetime) -> Select[*tuple[Any, ...]]:
    query = (
        select(Return.id, Agency.id, Agency.name, Sector.name, Return.status,
               Return.carried_over, Return.last_activity_at)
        .select_from(Return).join(Agency, Return.agency_id == Agency.id).join(Sector)
        .where(Return.cycle_id == cycle.id)
    )
    query = query.where(*_status_condition(cycle, filters.status, now=now))
    if filters.sector_id:
        query = query.where(Agency.sector_id == filters.sector_id)
    if filters.carried_over is not None:
        query = query.where(Return.carried_over.is_(filters.carried_over))
    return query


def totals_by_cycle(session: Session, cycle_ids: list[int]) -> dict[int, Counts]:
    """Returns by status for each of the cycles, in one grouped query."""
    totals: dict[int, Counts] = {cycle_id: Counts() for cycle_id in cycle_ids}
    rows = session.execute(
        select(Return.cycle_id, Return.status, Return.carried_over, func.count(Return.id))
        .where(Return.cycle_id.in_(cycle_ids))
        .group_by(Return.cycle_id, Return.status, Return.carried_over)
    )
    for cycle_id, status, carried_over, count in rows:
        totals[cycle_id].add(status, bool(carried_over), int(count))
    return totals
