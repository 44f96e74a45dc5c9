"""The demo's clock: every date of the story placed around `now`, so that it reads as today.

The open cycle (cohort A) was issued three weeks ago and is due in eight weeks; the cycle before
it (cohort B) closed last spring and its moderation visits are half done; the one before that
(cohort A) is finished. Only deadlines, visits still to come and due dates lie after `now`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.models import AuditEvent
from portal.services.common import is_working_day

OPENED_DAYS_AGO = 21
DUE_IN_DAYS = 56
FRIDAY = 4


@dataclass(frozen=True)
class CyclePlan:
    label: str
    cohort: str
    deadline: date
    opened: datetime


@dataclass(frozen=True)
class Timeline:
    now: datetime

    @property
    def open_deadline(self) -> date:
        """The last Friday of the month at least eight weeks away."""
        return last_friday(self.now.date() + timedelta(days=DUE_IN_DAYS))

    def plans(self) -> list[CyclePlan]:
        """The two closed cycles and the open one, oldest first, cohorts A, B, A."""
        opened = datetime.combine(self.now.date() - timedelta(days=OPENED_DAYS_AGO), time(9))
        issued_for = self.open_deadline - opened.date()  # each cycle open as long before its deadline
        out = []
        for years_ago, cohort in ((2, "A"), (1, "B"), (0, "A")):
            deadline = last_friday(self.open_deadline.replace(
                day=1, year=self.open_deadline.year - years_ago))
            out.append(CyclePlan(label_for(deadline), cohort, deadline,
                                 datetime.combine(deadline - issued_for, time(9))))
        return out

    @property
    def founded(self) -> datetime:
        """When the register and the accounts were set up: before the first demo cycle."""
        return self.plans()[0].opened - timedelta(days=60)


def label_for(deadline: date) -> str:
    """The audit year runs September to August: a deadline in January 2027 is cycle 2026-27."""
    start = deadline.year - 1 if deadline.month < 9 else deadline.year
    return f"{start}-{(start + 1) % 100:02d}"


def last_friday(day: date) -> date:
    """The last Friday of `day`'s month (cycles fall due at the end of a month)."""
    end = month_end(day)
    return end - timedelta(days=(end.weekday() - FRIDAY) % 7)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def weekday_on_or_after(day: date) -> date:
    """The first working day (no weekend, no bank holiday) from `day`."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


@contextmanager
def dated(session: Session, when: datetime) -> Iterator[None]:
    """Audit events recorded inside the block are dated `when`, the moment of the story at which
    they happened (the audit service stamps the real clock, the time the demo is loaded)."""
    before = session.scalar(select(func.max(AuditEvent.id))) or 0
    yield
    session.flush()
    session.execute(update(AuditEvent).where(AuditEvent.id > before).values(at=when))
