"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._agency_home import AgencyHome, agency_home
from ._glance import CycleGlance, YearAtAGlance, year_at_a_glance

__all__ = [
    "AgencyHome",
    "CycleGlance",
    "YearAtAGlance",
    "agency_home",
    "year_at_a_glance",
]
