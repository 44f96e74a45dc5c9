"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from portal.services.cycles import has_survey

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
    statements_of,
    survey_cycles,
)
from ._responding import ResponseInvalid, SurveyFull, record_response
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
    "Gap",
    "GroupResult",
    "ResponseInvalid",
    "StatementCounts",
    "SurveyClosed",
    "SurveyFull",
    "SurveyResults",
    "SurveySettings",
    "agency_link",
    "agency_submitted",
    "agency_surveys",
    "ensure_links",
    "has_survey",
    "issued_cycle",
    "link_rows",
    "open_survey",
    "record_response",
    "statements_of",
    "survey_cycles",
    "survey_results",
]
