"""The demo's activity beyond returns: closing with escalations, a moderated cycle, chaser stages."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Cycle, Grade, Role, User, Visit, VisitStatus
from portal.services import moderation
from portal.services.chasers import ensure_default_stages
from portal.services.cycles import close_cycle
from portal.vocabulary import GRADE_RANK

BY_RANK = {rank: grade for grade, rank in GRADE_RANK.items()}
OUTCOMES = (
    "The evidence supports the grades; in places the agency under-scored itself.",
    "Good evidence seen for most standards; safer recruitment records need tightening.",
    "Grades confirmed. Staff could describe how to escalate concerns.",
)


def close_as_history(session: Session, cycle: Cycle) -> None:
    """Close a past cycle the way the manager would have, escalating its non-returners."""
    close_cycle(session, cycle, now=datetime.combine(cycle.final_deadline + timedelta(days=3),
                                                     time(9)))


def moderate(session: Session, cycle: Cycle, rng: random.Random) -> None:
    """Draw the cycle's 10% sample and record visits: most completed, a couple still scheduled."""
    drawn = datetime.combine(cycle.final_deadline + timedelta(days=7), time(10))
    manager = session.scalar(select(User).where(User.role == Role.MANAGER.value))
    sample = moderation.draw_sample(session, cycle=cycle, rate=moderation.DEFAULT_RATE, seed=1718,
                                  now=drawn, user_id=manager.id if manager else None)
    planned = moderation.plan_visits(session, sample=sample, manager_id=manager.id if manager else None,
                                 now=drawn)
    for n, visit in enumerate(planned):
        _schedule(visit, drawn + timedelta(days=14 + 7 * n))
        if n < len(planned) - 2:
            _complete(session, visit, rng)
    session.flush()


def _schedule(visit: Visit, day: datetime) -> None:
    # History: set directly rather than through schedule_visit, which emails invitations.
    visit.starts_at = moderation.uk_to_utc(day.replace(hour=10, minute=0))
    visit.place = f"{visit.return_.agency.name}, main office"
    visit.status = VisitStatus.SCHEDULED.value


def _complete(session: Session, visit: Visit, rng: random.Random) -> None:
    assert visit.starts_at is not None
    when = visit.starts_at + timedelta(hours=3)
    member_id = visit.member_id
    for standard_id, self_grade in moderation.self_grades(session, visit.return_id).items():
        if self_grade is None or self_grade == Grade.NOT_APPLICABLE.value:
            continue
        moderation.record_finding(session, visit, standard_id=standard_id,
                                moderated_grade=_moderated(self_grade, rng),
                                note="Evidence reviewed with the safeguarding lead.",
                                now=when, user_id=member_id)
    session.refresh(visit)
    for review in moderation.review(session, visit):  # completing needs every standard
        if review.finding is None:
            moderation.record_finding(session, visit, standard_id=review.standard.id,
                                      moderated_grade=moderation.NOT_LOOKED_AT,
                                      note="No graded answers to moderate.", now=when,
                                      user_id=member_id)
    session.flush()
    session.refresh(visit)
    moderation.complete_visit(session, visit, outcome=rng.choice(OUTCOMES), now=when,
                            user_id=member_id)


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
