"""The MESC report's "Progress on the last cycle's recommendations": data only."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from portal.models import Cycle
from portal.services.recommendations import RecommendationProgress, previous_cycle_progress


@dataclass(frozen=True)
class PreviousRecommendations:
    cycle: str | None = None  # the cycle before the report's, if any
    rows: list[RecommendationProgress] = field(default_factory=list)


def previous_recommendations(session: Session, cycle: Cycle) -> PreviousRecommendations:
    label, rows = previous_cycle_progress(session, cycle)
    return PreviousRecommendations(cycle=label, rows=rows)


def as_dicts(section: PreviousRecommendations) -> list[dict[str, object]]:
    """For the JSON report."""
    return [{"text": r.text, "standards": r.standards, "owner": r.owner,
             "due_on": r.due_on.isoformat(), "status": r.status,
             "latest_update": r.latest_note,
             "latest_update_on": r.latest_on.isoformat() if r.latest_on else None}
            for r in section.rows]
