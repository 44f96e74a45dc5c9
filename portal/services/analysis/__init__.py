"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._weakness import (
    Tally,
    code_key,
    count_if,
    cycle_agencies_graded,
    cycle_tallies,
    execute,
    rank_questions,
    rank_standards,
    tally_of,
)

__all__ = [
    "Tally",
    "code_key",
    "count_if",
    "cycle_agencies_graded",
    "cycle_tallies",
    "execute",
    "rank_questions",
    "rank_standards",
    "tally_of",
]
