"""The demo's activity beyond returns: closing with escalations, a moderated cycle, chaser stages."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.models import Cycle, Finding, Grade, Role, User, Visit, VisitStatus
from portal.services import accounts, audit, moderation
from portal.services.chasers import ensure_default_stages
from portal.services.cycles import close_cycle
from portal.vocabulary import GRADE_RANK

from ._constants import DEMO_DOMAIN
from ._timeline import Timeline, dated, weekday_on_or_after

BY_RANK = {rank: grade for grade, rank in GRADE_RANK.items()}
FINDING_NOTE = "Evidence reviewed with the safeguarding lead."
OUTCOMES = (
    "The evidence supports the grades; in places the agency under-scored itself.",
    "Good evidence seen for most standards; safer recruitment records need tightening.",
    "Grades confirmed. Staff could describe how to escalate concerns.",
)


def close_as_history(session: Session, cycle: Cycle) -> None:
    """Close a past cycle the way the manager would have, escalating its non-returners."""
    when = datetime.combine(cycle.final_deadline + timedelta(days=3), time(9))
    with dated(session, when):
        close_cycle(session, cycle, now=when)


def moderate(session: Session, cycle: Cycle, rng: random.Random, *, clock: Timeline,
             done: bool) -> None:
    """Draw the cycle's 10% sample and give each visit a day: all held when `done`; otherwise
    about half held, the others to come (one of them member1's) and the last still to schedule."""
    assert cycle.closed_at is not None
    drawn = cycle.closed_at + timedelta(days=4, hours=1)
    manager = session.scalar(accounts.with_role(Role.MANAGER, partnership_id=cycle.partnership_id)
                             .order_by(User.id))
    with dated(session, drawn):
        sample = moderation.draw_sample(session, cycle=cycle, rate=moderation.DEFAULT_RATE,
                                        seed=1718, now=drawn,
                                        user_id=manager.id if manager else None)
        planned = moderation.plan_visits(session, sample=sample,
                                         manager_id=manager.id if manager else None, now=drawn)
    days = visit_days(len(planned), drawn=drawn, now=clock.now, done=done)
    for visit, day in zip(planned, days, strict=True):
        if day is not None:
            _schedule(visit, day)
        if day is not None and day < clock.now:
            _complete(session, visit, rng)
    if not done:
        _give_member1_a_visit(session, planned, now=clock.now)
    session.flush()


def visit_days(count: int, *, drawn: datetime, now: datetime, done: bool) -> list[datetime | None]:
    """Each visit's day (10am UK, a weekday), or None for one still to schedule."""
    first = drawn + timedelta(days=14)
    if done:
        return [_weekday(first + timedelta(days=7 * n)) for n in range(count)]
    held = count // 2
    gap = (now - timedelta(days=14) - first) / max(held - 1, 1)
    past = [_weekday(first + gap * n) for n in range(held)]
    coming = [_weekday(now + timedelta(days=6 + 7 * n)) for n in range(count - held)]
    return [*past, *coming[:-1], None] if len(coming) > 1 else [*past, *coming]


def _weekday(day: datetime) -> datetime:
    return datetime.combine(weekday_on_or_after(day.date()), time(10))


def _give_member1_a_visit(session: Session, visits: list[Visit], *, now: datetime) -> None:
    """member1@ (the member the README names) attends the first visit still to come."""
    member1 = session.scalar(select(User).where(User.email == f"member1@{DEMO_DOMAIN}"))
    coming = [v for v in visits if v.starts_at is not None and v.starts_at > now]
    if member1 is not None and coming and all(v.member_id != member1.id for v in coming):
        coming[0].member_id = member1.id


def _schedule(visit: Visit, day: datetime) -> None:
    # History: set directly rather than through schedule_visit, which emails invitations.
    visit.starts_at = moderation.uk_to_utc(day)
    visit.place = f"{visit.return_.agency.name}, main office"
    visit.status = VisitStatus.SCHEDULED.value


def _complete(session: Session, visit: Visit, rng: random.Random) -> None:
    """A visit held: a finding for each standard the agency graded, and the outcome. History, set
    in one insert (as the returns are) rather than a page's work at a time."""
    assert visit.starts_at is not None
    when = visit.starts_at + timedelta(hours=3)
    rows = [{"visit_id": visit.id, "standard_id": standard_id, "question_id": None,
             "self_grade": self_grade, **_finding(self_grade, rng),
             "recorded_at": when, "recorded_by_id": visit.member_id}
            for standard_id, self_grade in moderation.self_grades(session, visit.return_id).items()]
    session.execute(insert(Finding), rows)
    visit.outcome = rng.choice(OUTCOMES)
    visit.status = VisitStatus.COMPLETED.value
    visit.completed_at = when
    with dated(session, when):
        audit.record(session, action="visit.completed", entity_type="visit", entity_id=visit.id,
                     user_id=visit.member_id, findings=len(rows))


def _finding(self_grade: str | None, rng: random.Random) -> dict[str, str]:
    """A held visit records every standard: a grade where the agency graded it, else "not
    looked at" with the reason (as completing a visit requires)."""
    if self_grade is None or self_grade == Grade.NOT_APPLICABLE.value:
        return {"moderated_grade": moderation.NOT_LOOKED_AT, "note": "No graded answers to moderate."}
    return {"moderated_grade": _moderated(self_grade, rng), "note": FINDING_NOTE}


def _moderated(self_grade: str, rng: random.Random) -> str:
    """Moderation found agencies under-score more often than they over-inflate."""
    rank = GRADE_RANK[Grade(self_grade)]
    roll = rng.random()
    if roll < 0.22 and rank < 3:
        rank += 1
    elif roll > 0.95 and rank > 0:
        rank -= 1
    return BY_RANK[rank].value


def prepare_chasers(session: Session, cycle: Cycle) -> None:
    ensure_default_stages(session, cycle)
