"""What became of a cycle's recommendations: the rows reports show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.models import Cycle, OwnerKind, Recommendation, RecommendationStatus
from portal.services import cycles

from ._records import list_recommendations


@dataclass(frozen=True)
class RecommendationProgress:
    text: str
    standards: list[str]
    owner: str
    due_on: date
    status: str  # the label, like "In progress"
    latest_note: str | None
    latest_on: date | None


def owner_of(recommendation: Recommendation) -> str:
    """'Independent Chair (the Chair)'."""
    return f"{recommendation.owner_name} ({OwnerKind(recommendation.owner_kind).label.lower()})"


def progress_of(recommendation: Recommendation) -> RecommendationProgress:
    latest = recommendation.updates[-1] if recommendation.updates else None
    return RecommendationProgress(
        text=recommendation.text, standards=recommendation.standard_codes,
        owner=owner_of(recommendation), due_on=recommendation.due_on,
        status=RecommendationStatus(recommendation.status).label,
        latest_note=latest.note if latest else None, latest_on=latest.on if latest else None,
    )


def cycle_recommendations(session: Session, cycle: Cycle) -> list[RecommendationProgress]:
    """The recommendations recorded against this cycle."""
    return [progress_of(r) for r in list_recommendations(session, cycle=cycle)]


def previous_cycle_progress(
    session: Session, cycle: Cycle
) -> tuple[str | None, list[RecommendationProgress]]:
    """The cycle before this one and how its recommendations have progressed."""
    previous = cycles.previous_cycle(session, cycle)
    if previous is None:
        return None, []
    return previous.label, cycle_recommendations(session, previous)
