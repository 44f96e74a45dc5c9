"""The manager's year at a glance: every cycle still in hand, open or closed, with the figures
that say what to do next.

A cycle stays in view from its opening until its visits are complete, its Chair meetings held and
its report published. The figures come from a fixed handful of grouped queries whatever the
number of agencies (and of cycles): returns, visits, Chair meetings, recommendations, published
reports and information requests are each counted once for every cycle together; only an open
cycle's chaser stages and an undrawn sample's population are read per cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus
from portal.services import chasers, cycles, moderation, publishing, recommendations, requests
from portal.services.common import uk_today


@dataclass(frozen=True)
class CycleGlance:
    cycle: Cycle
    issued: int
    submitted: int
    overdue: int
    at_risk: int
    visits_to_schedule: int
    outcomes_overdue: int
    sample_drawn: bool
    next_chaser: date | None
    next_step: str  # one of NEXT_STEPS
    visits_open: int = 0
    chair_meetings: int = 0
    recommendations_overdue: int = 0
    published: bool = False

    @property
    def rate(self) -> float | None:
        return self.submitted / self.issued if self.issued else None

    @property
    def is_open(self) -> bool:
        return self.cycle.status == CycleStatus.OPEN.value

    @property
    def in_hand(self) -> bool:
        """Open, or closed with visits, Chair meetings or the report still to do."""
        sample_due = not self.sample_drawn and self.submitted > 0
        return (self.is_open or sample_due or self.visits_open > 0 or self.chair_meetings > 0
                or not self.published)


@dataclass(frozen=True)
class YearAtAGlance:
    cycles: list[CycleGlance]
    requests_open: int


NEXT_STEPS = ("close", "outcomes", "draw", "schedule", "chair", "chase", "recommendations",
              "publish", "wait")


@dataclass(frozen=True)
class _Facts:
    """Every cycle's figures, each kind counted in one grouped query."""

    totals: dict[int, cycles.Counts]
    visits: dict[int, moderation.VisitCounts]
    chair_meetings: dict[int, int]
    recommendations_overdue: dict[int, int]
    published: set[int]


def year_at_a_glance(session: Session, *, now: datetime,
                     outcome_working_days: int = moderation.OUTCOME_WORKING_DAYS) -> YearAtAGlance:
    """Every cycle in hand, open ones first, each by earliest deadline, with figures and next step
    (a visit's outcome is overdue after `outcome_working_days` working days)."""
    candidates = list(session.scalars(
        select(Cycle).where(Cycle.status.in_([CycleStatus.OPEN.value, CycleStatus.CLOSED.value]))
        .order_by(Cycle.status.desc(), Cycle.deadline, Cycle.id)))
    facts = _facts(session, [c.id for c in candidates], now=now,
                   working_days=outcome_working_days)
    glances = (_glance(session, cycle, facts, now=now) for cycle in candidates)
    return YearAtAGlance(cycles=[g for g in glances if g.in_hand],
                         requests_open=requests.open_request_count(session, now=now))


def _facts(session: Session, cycle_ids: list[int], *, now: datetime,
           working_days: int) -> _Facts:
    return _Facts(
        totals=cycles.totals_by_cycle(session, cycle_ids),
        visits=moderation.visit_counts_by_cycle(session, now=now, working_days=working_days),
        chair_meetings=cycles.chair_meetings_by_cycle(session),
        recommendations_overdue=recommendations.overdue_by_cycle(session, today=uk_today(now)),
        published=publishing.published_cycle_ids(session),
    )


def _glance(session: Session, cycle: Cycle, facts: _Facts, *, now: datetime) -> CycleGlance:
    totals = facts.totals[cycle.id]
    visits = facts.visits.get(cycle.id)
    is_open = cycle.status == CycleStatus.OPEN.value
    glance = CycleGlance(
        cycle=cycle, issued=totals.issued, submitted=totals.submitted,
        overdue=totals.not_submitted if is_open and cycles.is_past_deadline(cycle, now=now) else 0,
        at_risk=totals.at_risk if is_open else 0,
        visits_to_schedule=visits.to_schedule if visits else 0,
        outcomes_overdue=visits.outcomes_overdue if visits else 0,
        visits_open=visits.still_open if visits else 0,
        sample_drawn=visits is not None,
        next_chaser=_next_chaser(session, cycle, now=now) if is_open else None,
        chair_meetings=facts.chair_meetings.get(cycle.id, 0),
        recommendations_overdue=facts.recommendations_overdue.get(cycle.id, 0),
        published=cycle.id in facts.published,
        next_step="wait",
    )
    drawable = visits is None and moderation.when_drawable(session, cycle, now=now) is None
    return replace(glance, next_step=_next_step(glance, drawable=drawable, now=now))


def _next_chaser(session: Session, cycle: Cycle, *, now: datetime) -> date | None:
    today = uk_today(now)
    due_days = [chasers.due_on(s, cycle) for s in chasers.ensure_default_stages(session, cycle)]
    return min((day for day in due_days if day >= today), default=None)


def _next_step(glance: CycleGlance, *, drawable: bool, now: datetime) -> str:
    """The most pressing thing to do, in the order the year runs."""
    steps = [
        ("close", glance.is_open and cycles.can_close(glance.cycle, now=now)),
        ("outcomes", glance.outcomes_overdue > 0),
        ("draw", drawable),
        ("schedule", glance.visits_to_schedule > 0),
        ("chair", glance.chair_meetings > 0),
        ("chase", glance.overdue > 0),
        ("recommendations", glance.recommendations_overdue > 0),
        ("publish", not glance.is_open and not glance.published),
    ]
    return next((step for step, due in steps if due), "wait")
