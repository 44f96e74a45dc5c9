"""The manager's year at a glance: for each open cycle the figures that say what to do next."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus
from portal.services import chasers, cycles, moderation


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

    @property
    def rate(self) -> float | None:
        return self.submitted / self.issued if self.issued else None


NEXT_STEPS = ("close", "draw", "schedule", "outcomes", "chase", "wait")


def year_at_a_glance(session: Session, *, now: datetime) -> list[CycleGlance]:
    """Every open cycle, the earliest deadline first, with its figures and next step."""
    open_cycles = session.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN.value)
                                  .order_by(Cycle.deadline, Cycle.id))
    return [_glance(session, cycle, now=now) for cycle in open_cycles]


def _glance(session: Session, cycle: Cycle, *, now: datetime) -> CycleGlance:
    totals = cycles.cycle_totals(session, cycle)
    sample = moderation.current_sample(session, cycle)
    today = moderation.utc_to_uk(now).date()
    due_days = [chasers.due_on(s, cycle) for s in chasers.ensure_default_stages(session, cycle)]
    glance = CycleGlance(
        cycle=cycle, issued=totals.issued, submitted=totals.submitted,
        overdue=totals.not_submitted if cycles.is_past_deadline(cycle, now=now) else 0,
        at_risk=totals.at_risk,
        visits_to_schedule=len(moderation.unscheduled_visits(session, sample)) if sample else 0,
        outcomes_overdue=moderation.overdue_outcomes(session, now=now, cycle_id=cycle.id),
        sample_drawn=sample is not None,
        next_chaser=min((day for day in due_days if day >= today), default=None),
        next_step="wait",
    )
    drawable = sample is None and moderation.when_drawable(session, cycle, now=now) is None
    return replace(glance, next_step=_next_step(glance, drawable=drawable, now=now))


def _next_step(glance: CycleGlance, *, drawable: bool, now: datetime) -> str:
    """The most pressing thing to do, in the order the year runs."""
    steps = [
        ("close", cycles.can_close(glance.cycle, now=now)),
        ("outcomes", glance.outcomes_overdue > 0),
        ("draw", drawable),
        ("schedule", glance.visits_to_schedule > 0),
        ("chase", glance.overdue > 0),
    ]
    return next((step for step, due in steps if due), "wait")
