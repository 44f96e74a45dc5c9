"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._progress import (
    RecommendationProgress,
    cycle_recommendations,
    owner_of,
    previous_cycle_progress,
    progress_of,
)
from ._records import (
    RECOMMENDATION_LIMIT,
    NewRecommendation,
    add_update,
    get_recommendation,
    is_overdue,
    list_recommendations,
    note_progress,
    overdue_by_cycle,
    record_recommendation,
)

__all__ = [
    "RECOMMENDATION_LIMIT",
    "NewRecommendation",
    "RecommendationProgress",
    "add_update",
    "cycle_recommendations",
    "get_recommendation",
    "is_overdue",
    "list_recommendations",
    "note_progress",
    "overdue_by_cycle",
    "owner_of",
    "previous_cycle_progress",
    "progress_of",
    "record_recommendation",
]
