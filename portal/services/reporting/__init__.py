"""Public interface of this capability: import from here, never from its _private modules.

Reporting: the MESC report's data (counted in the database), its published versions, closing a
cycle with its report, the annual section's text and one agency beside its last return. The
renderers (data -> PDF, CSV, XLSX, Word) are in portal.reports, which this never imports."""

from __future__ import annotations

from ._agency_comparison import (
    AgencyComparison,
    ComparisonRow,
    agencies_in_cycle,
    agency_comparison,
    grade_label,
)
from ._annual import Block, annual_section, draft
from ._closing import close_and_publish, publish_unpublished, republish
from ._cycle_list import CycleSummary, report_cycles
from ._downloads import (
    REPORT_FORMATS,
    Publication,
    ReportDownload,
    cycle_report,
    publication,
    report_cycle,
    report_download,
    stored_version,
)
from ._grid import MIN_AGENCIES, MIN_GRADED, GridCell, GridRow, TooFew, small_n, too_few
from ._moderation_data import CALIBRATIONS, TARGET_RATE, ModerationSummary
from ._na_blank import NA_BLANK_SHARE, NaBlankQuestion, SectorCount, na_blank_questions
from ._published import ALL_SECTORS, current_json, report_for, shown_version, unpublished_changes
from ._recommendations_data import PreviousRecommendations, previous_recommendations
from ._report_json import fraction, report_as_dict, report_json
from ._sector_data import (
    CycleFigures,
    QuestionRow,
    SectorReport,
    SectorSection,
    SectorShare,
    StandardChange,
    StandardRow,
    is_provisional,
    sector_report,
    sector_reports,
)
from ._snapshot import dumps as snapshot_dumps
from ._snapshot import loads as snapshot_loads
from ._survey import PosterLink, agency_result, own_survey_results, poster_link, survey_report
from ._visit_pack import PROBES_SHOWN, Probe, VisitPack, visit_pack

__all__ = [
    "ALL_SECTORS",
    "CALIBRATIONS",
    "MIN_AGENCIES",
    "MIN_GRADED",
    "NA_BLANK_SHARE",
    "PROBES_SHOWN",
    "REPORT_FORMATS",
    "TARGET_RATE",
    "AgencyComparison",
    "Block",
    "ComparisonRow",
    "CycleFigures",
    "CycleSummary",
    "GridCell",
    "GridRow",
    "ModerationSummary",
    "NaBlankQuestion",
    "PosterLink",
    "PreviousRecommendations",
    "Probe",
    "Publication",
    "QuestionRow",
    "ReportDownload",
    "SectorCount",
    "SectorReport",
    "SectorSection",
    "SectorShare",
    "StandardChange",
    "StandardRow",
    "TooFew",
    "VisitPack",
    "agencies_in_cycle",
    "agency_comparison",
    "agency_result",
    "annual_section",
    "close_and_publish",
    "current_json",
    "cycle_report",
    "draft",
    "fraction",
    "grade_label",
    "is_provisional",
    "na_blank_questions",
    "own_survey_results",
    "poster_link",
    "previous_recommendations",
    "publication",
    "publish_unpublished",
    "report_as_dict",
    "report_cycle",
    "report_cycles",
    "report_download",
    "report_for",
    "report_json",
    "republish",
    "sector_report",
    "sector_reports",
    "shown_version",
    "small_n",
    "snapshot_dumps",
    "snapshot_loads",
    "stored_version",
    "survey_report",
    "too_few",
    "unpublished_changes",
    "visit_pack",
]
