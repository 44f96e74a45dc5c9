"""Where samples and visits meet: drawing a sample (a redraw cancels the earlier sample's
visits) and the progress of visits against the sample's target."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agency, Cycle, ModerationSample, Return, ReturnStatus, Visit, VisitStatus
from portal.services import survey
from portal.services.accounts import LinkSettings
from portal.services.survey import SurveySettings

from . import _sampling
from ._sampling import DEFAULT_RATE, current_sample, sample_size
from ._visits import OPEN_STATUSES, cancel_visits_of_sample


def draw_sample(
    session: Session, *, cycle: Cycle, rate: float, seed: int, now: datetime,
    user_id: int | None, exclude_recent_cycles: int = 0, reason: str | None = None,
    links: LinkSettings | None = None, replacing: int | None = None, targeted: float = 0.0,
    survey_settings: SurveySettings | None = None,
) -> ModerationSample:
    """Draw and store the cycle's sample; a redraw needs a reason and supersedes the last one.

    A redraw cancels the previous sample's visits; scheduled ones need `links` to tell attendees.
    """
    def cancel_visits(previous: ModerationSample) -> None:
        cancel_visits_of_sample(session, previous, now=now, links=links, user_id=user_id)

    return _sampling.draw_sample(
        session, cycle=cycle, rate=rate, seed=seed, now=now, user_id=user_id,
        exclude_recent_cycles=exclude_recent_cycles, reason=reason, cancel_visits=cancel_visits,
        replacing=replacing, targeted=targeted,
        ranked=lambda: returns_by_gaps(session, cycle, survey_settings))


def returns_by_gaps(session: Session, cycle: Cycle, settings: SurveySettings | None) -> list[int]:
    """Submitted return ids of agencies with survey corroboration gaps, largest gaps first."""
    # exact and before the close: the ranking is never shown, only the sample it draws
    results = survey.survey_results(session, cycle, settings=settings or SurveySettings(),
                                    published=False)
    gappy = [a.agency_id for a in results.by_gaps() if a.gaps and a.submitted]
    ids = dict(session.execute(
        select(Return.agency_id, Return.id).where(Return.cycle_id == cycle.id,
                                                  Return.agency_id.in_(gappy))).all())
    return [ids[a] for a in gappy]


@dataclass(frozen=True)
class ModerationProgress:
    """Visits against the target for a cycle (planned counts every visit not cancelled)."""

    submitted: int
    target: int
    planned: int
    scheduled: int
    completed: int


def moderation_progress(
    session: Session, cycle: Cycle, *, sector_id: int | None = None,
    submitted: int | None = None,
) -> ModerationProgress:
    """Visits planned, scheduled and completed against the target (rate x submitted returns),
    for the whole cycle or one sector's agencies. `submitted`: the returns submitted, when the
    caller has counted them already (the dashboard's grouped counts)."""
    if submitted is None:
        submitted_query = (
            select(func.count(Return.id)).join(Agency, Agency.id == Return.agency_id)
            .where(Return.cycle_id == cycle.id, Return.status == ReturnStatus.SUBMITTED.value))
        if sector_id is not None:
            submitted_query = submitted_query.where(Agency.sector_id == sector_id)
        submitted = session.scalar(submitted_query) or 0
    sample = current_sample(session, cycle)
    target = sample_size(submitted, sample.rate if sample else DEFAULT_RATE)
    counts: Counter[str] = Counter()
    if sample is not None:
        visits_query = (select(Visit.status, func.count(Visit.id))
                        .join(Return, Return.id == Visit.return_id)
                        .join(Agency, Agency.id == Return.agency_id)
                        .where(Visit.sample_id == sample.id).group_by(Visit.status))
        if sector_id is not None:
            visits_query = visits_query.where(Agency.sector_id == sector_id)
        counts.update({status: count for status, count in session.execute(visits_query)})
    planned = sum(counts[s] for s in (*OPEN_STATUSES, VisitStatus.COMPLETED.value))
    return ModerationProgress(
        submitted=submitted, target=target, planned=planned,
        scheduled=counts[VisitStatus.SCHEDULED.value] + counts[VisitStatus.COMPLETED.value],
        completed=counts[VisitStatus.COMPLETED.value],
    )
