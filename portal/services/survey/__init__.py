"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from portal.services.cycles import has_survey

from ._batches import (
    FlaggedBatch,
    LinkFill,
    declare_headcount,
    flagged_batches,
    link_fill,
    link_headcount,
    links_nearly_full,
    set_aside_batch,
)
from ._disclosure import SMALL_BANDS
from ._links import (
    SurveyClosed,
    agency_link,
    agency_submitted,
    agency_surveys,
    ensure_links,
    issued_cycle,
    link_rows,
    open_survey,
    short_code,
    statements_of,
    survey_cycles,
    token_of_short_code,
)
from ._responding import ResponseInvalid, SurveyFull, alike_today, record_response
from ._results import (
    AgencyResult,
    Gap,
    GroupResult,
    StatementCounts,
    SurveyResults,
    SurveySettings,
    survey_results,
)

__all__ = [
    "SMALL_BANDS",
    "AgencyResult",
    "FlaggedBatch",
    "Gap",
    "GroupResult",
    "LinkFill",
    "ResponseInvalid",
    "StatementCounts",
    "SurveyClosed",
    "SurveyFull",
    "SurveyResults",
    "SurveySettings",
    "agency_link",
    "agency_submitted",
    "agency_surveys",
    "alike_today",
    "declare_headcount",
    "ensure_links",
    "flagged_batches",
    "has_survey",
    "issued_cycle",
    "link_fill",
    "link_headcount",
    "link_rows",
    "links_nearly_full",
    "open_survey",
    "record_response",
    "set_aside_batch",
    "short_code",
    "statements_of",
    "survey_cycles",
    "survey_results",
    "token_of_short_code",
]
