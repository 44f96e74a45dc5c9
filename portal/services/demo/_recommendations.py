"""The demo's recommendations: what last year's audit decided, some of it already moving."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from portal.models import Cycle, Recommendation
from portal.services.recommendations import NewRecommendation, add_update, record_recommendation

from ._timeline import Timeline, dated, month_end

# text, standards, owner kind, owner, due at the end of the month so many months after the
# meeting that recorded it (None: by the open cycle's deadline)
RECOMMENDATIONS: tuple[tuple[str, list[str], str, str, int | None], ...] = (
    ("The Chair writes to all services asking what training their staff have on working with "
     "disabled children", ["11"], "chair", "Independent Chair", 1),
    ("The Chair writes to all services about safer recruitment training for staff who recruit",
     ["6"], "chair", "Independent Chair", 1),
    ("The Training Committee reviews the answers and reports to the Board", ["6", "11"],
     "committee", "Training Committee", 6),
    ("The ICB gives evidence about GP practices' equality impact assessments", ["12"],
     "sector", "GP practices (through the ICB)", 3),
    ("Develop a shorter, more relevant tool for the voluntary and community sector", [],
     "committee", "MESC", None),
)


def record_demo_recommendations(session: Session, cycle: Cycle, *, clock: Timeline) -> int:
    """Record the five recommendations at the MESC meeting after the close, the first done
    since and the third under way (each update dated before `clock.now`)."""
    assert cycle.closed_at is not None
    at = datetime.combine(cycle.closed_at.date() + timedelta(days=10), time(10))
    with dated(session, at):
        made = [record_recommendation(session, cycle, NewRecommendation(
            text=text, standards=standards, owner_kind=kind, owner_name=owner,
            due_on=_due(at.date(), months, clock)), now=at)
            for text, standards, kind, owner, months in RECOMMENDATIONS]
    _update(session, made[0], "done", "Letters sent to all 228 agencies", at + timedelta(days=33),
            clock)
    _update(session, made[2], "in_progress", "First answers reviewed at the committee's meeting",
            at + timedelta(days=98, hours=6), clock)
    return len(made)


def _due(meeting: date, months: int | None, clock: Timeline) -> date:
    if months is None:
        return clock.open_deadline
    first = meeting.replace(day=1)
    year, month = divmod(first.month - 1 + months, 12)
    return month_end(first.replace(year=first.year + year, month=month + 1))


def _update(session: Session, recommendation: Recommendation, status: str, note: str, when: datetime,
            clock: Timeline) -> None:
    when = min(when, clock.now - timedelta(days=1))
    with dated(session, when):
        add_update(session, recommendation, status=status, note=note,
                   on=when.date(), now=when)
