"""When a visit stands: its day, when its outcome is due, and "Outcome overdue" (in Python for
one visit, in SQL for the counts), so the flag and the counts can never disagree.

The outcome is due a stated number of English working days after the visit's day
(OUTCOME_WORKING_DAYS, overridden by the setting VISIT_OUTCOME_WORKING_DAYS), and overdue from
the day after that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from portal.models import ModerationSample, Visit, VisitStatus
from portal.services.common import add_working_days

from ._rules import OPEN_STATUSES
from ._visits import uk_to_utc, utc_to_uk

OUTCOME_OVERDUE = "Outcome overdue"
# The member has this many working days after the visit's day to record the outcome; the
# setting VISIT_OUTCOME_WORKING_DAYS overrides it (views and commands pass it as `working_days`).
OUTCOME_WORKING_DAYS = 5


def visit_day(visit: Visit) -> date | None:
    """The UK day a visit takes place on."""
    return utc_to_uk(visit.starts_at).date() if visit.starts_at else None


def outcome_due(visit: Visit, *, working_days: int = OUTCOME_WORKING_DAYS) -> date | None:
    """The last day for the outcome: `working_days` English working days after the visit's day."""
    day = visit_day(visit)
    return add_working_days(day, working_days) if day is not None else None


def outcome_overdue(
    visit: Visit, *, now: datetime, working_days: int = OUTCOME_WORKING_DAYS,
) -> bool:
    """A scheduled visit whose outcome's last day has passed with no outcome recorded."""
    due = outcome_due(visit, working_days=working_days)
    return (visit.status == VisitStatus.SCHEDULED.value and due is not None
            and due < utc_to_uk(now).date())


def visit_flag(
    visit: Visit, *, now: datetime, working_days: int = OUTCOME_WORKING_DAYS,
) -> str | None:
    return OUTCOME_OVERDUE if outcome_overdue(visit, now=now, working_days=working_days) else None


def is_upcoming(visit: Visit, *, now: datetime) -> bool:
    """Still to happen or still to be written up: not completed, not cancelled."""
    return visit.status in OPEN_STATUSES


def last_overdue_day(today: date, working_days: int = OUTCOME_WORKING_DAYS) -> date:
    """The latest visit day whose outcome is overdue today (the due day only grows with the
    visit's day, so stepping back from yesterday finds it within a few weeks)."""
    day = today - timedelta(days=1)
    while add_working_days(day, working_days) >= today:
        day -= timedelta(days=1)
    return day


def _overdue_condition(
    now: datetime, working_days: int = OUTCOME_WORKING_DAYS,
) -> ColumnElement[bool]:
    """SQL for `outcome_overdue`: scheduled, on or before the last overdue day (UK)."""
    last = last_overdue_day(utc_to_uk(now).date(), working_days)
    after_last = uk_to_utc(datetime.combine(last + timedelta(days=1), time()))
    return and_(Visit.status == VisitStatus.SCHEDULED.value, Visit.starts_at < after_last)


def overdue_outcomes(
    session: Session, *, now: datetime, cycle_id: int | None = None,
    working_days: int = OUTCOME_WORKING_DAYS,
) -> int:
    """How many scheduled visits are past their outcome's last day (visits of current samples)."""
    query = (select(func.count(Visit.id)).join(ModerationSample)
             .where(_overdue_condition(now, working_days),
                    ModerationSample.superseded_at.is_(None)))
    if cycle_id is not None:
        query = query.where(ModerationSample.cycle_id == cycle_id)
    return session.scalar(query) or 0


@dataclass(frozen=True)
class VisitCounts:
    """A current sample's visits: to be given a date, past their day with no outcome, not done."""

    to_schedule: int
    outcomes_overdue: int
    still_open: int


def visit_counts_by_cycle(
    session: Session, *, now: datetime, working_days: int = OUTCOME_WORKING_DAYS,
) -> dict[int, VisitCounts]:
    """Each cycle with a sample in force, with its visits counted in one grouped query."""
    def tally(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
    rows = session.execute(
        select(ModerationSample.cycle_id, tally(Visit.status == VisitStatus.PLANNED.value),
               tally(_overdue_condition(now, working_days)), tally(Visit.status.in_(OPEN_STATUSES)))
        .outerjoin(Visit, Visit.sample_id == ModerationSample.id)
        .where(ModerationSample.superseded_at.is_(None)).group_by(ModerationSample.cycle_id)
    )
    return {cycle_id: VisitCounts(int(planned), int(overdue), int(still_open))
            for cycle_id, planned, overdue, still_open in rows}


