"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._glance import CycleGlance, year_at_a_glance

__all__ = [
    "CycleGlance",
    "year_at_a_glance",
]
