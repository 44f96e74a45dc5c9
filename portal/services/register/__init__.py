"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._agencies import (
    PAGE_SIZE,
    AgencyDetails,
    AgencyFilter,
    add_agency,
    cohort_sizes,
    get_agency,
    move_cohort,
    search_agencies,
    sectors,
    set_active,
    smaller_cohort,
    update_agency,
)
from ._import import import_agencies

__all__ = [
    "PAGE_SIZE",
    "AgencyDetails",
    "AgencyFilter",
    "add_agency",
    "cohort_sizes",
    "get_agency",
    "import_agencies",
    "move_cohort",
    "search_agencies",
    "sectors",
    "set_active",
    "smaller_cohort",
    "update_agency",
]
