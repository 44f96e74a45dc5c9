"""The MESC report as JSON: the shape docs/reports.md describes.

It is the report's published form (a closed cycle's stored version holds this text), so it lives
with the report's data; the downloads in other formats are rendered in portal.reports."""

from __future__ import annotations

import json
from typing import Any

from portal.services.analysis import Tally

from ._moderation_data import CALIBRATIONS
from ._na_blank import NaBlankQuestion
from ._recommendations_data import as_dicts
from ._sector_data import QuestionRow, SectorReport, SectorSection, StandardChange, StandardRow


def fraction(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _tally(tally: Tally) -> dict[str, Any]:
    return {"graded": tally.graded, "weak": tally.weak, "not_applicable": tally.not_applicable,
            "not_answered": tally.not_answered, "weakness": fraction(tally.weakness)}


def _change(c: StandardChange) -> dict[str, Any]:
    return {"code": c.code, "title": c.title, "weakness": fraction(c.weakness),
            "previous_weakness": fraction(c.previous_weakness), "change": fraction(c.change),
            "graded": c.graded, "previous_graded": c.previous_graded, "direction": c.direction,
            "left_out_because": c.left_out_because}


def _na_blank(q: NaBlankQuestion) -> dict[str, Any]:
    return {"code": q.code, "text": q.text, "answers": q.answers,
            "not_applicable": {c.sector: c.count for c in q.not_applicable},
            "not_answered": {c.sector: c.count for c in q.not_answered},
            "share": fraction(q.share), "sentence": q.sentence}


def _standard(row: StandardRow) -> dict[str, Any]:
    return {"code": row.code, "title": row.title, **_tally(row.tally)}


def _question(row: QuestionRow) -> dict[str, Any]:
    return {"code": row.code, "standard": row.standard, "text": row.text,
            "requires_improvement": row.tally.requires_improvement,
            "inadequate": row.tally.inadequate, **_tally(row.tally)}


def _section(section: SectorSection) -> dict[str, Any]:
    return {
        "sector": section.sector, "issued": section.issued, "returned": section.returned,
        "standards": [_standard(s) for s in section.standards],
        "questions": [_question(q) for q in section.questions],
        "previous_cycle": section.previous_cycle,
        "change": [_change(c) for c in section.changes],
    }


def report_as_dict(report: SectorReport) -> dict[str, Any]:
    """The JSON shape: the issue's keys, plus previous cycles, grid, moderation and method."""
    m = report.moderation
    return {
        "cycle": report.cycle, "cohort": report.cohort, "sector": report.sector,
        "tool_version": report.tool_version, "provisional": report.provisional,
        "can_still_return": report.can_still_return,
        "final_deadline": report.final_deadline.isoformat() if report.final_deadline else None,
        "issued": report.issued, "returned": report.returned,
        "return_rate": fraction(report.return_rate),
        "previous_cycles": [{"cycle": f.cycle, "cohort": f.cohort, "issued": f.issued,
                             "returned": f.returned, "return_rate": fraction(f.return_rate)}
                            for f in report.previous_cycles],
        "returns_by_sector": [{"sector": s.sector, "issued": s.issued, "returned": s.returned,
                               "return_rate": fraction(s.return_rate)}
                              for s in report.returns_by_sector],
        "non_returners_by_sector": [{"sector": s.sector, "count": s.count,
                                     "share": fraction(s.share)}
                                    for s in report.non_returners_by_sector],
        "standards": [_standard(s) for s in report.standards],
        "sectors": [_section(s) for s in report.sectors],
        "grid": {"sectors": report.grid_sectors,
                 "standards": [{"code": g.code, "title": g.title,
                                "weakness": [fraction(c.weakness) if c else None for c in g.cells],
                                "graded": [c.graded if c else None for c in g.cells],
                                "agencies": [c.agencies for c in g.shown]}
                               for g in report.grid],
                 "too_few": [{"sector": t.sector, "codes": t.codes} for t in report.too_few]},
        "na_blank": [_na_blank(q) for q in report.na_blank],
        "moderation": {"returned": m.returned, "target": m.target,
                       "visits_completed": m.visits_completed, "visits_open": m.visits_open,
                       "compared": m.counts.compared,
                       **{c: {"count": getattr(m.counts, c), "share": fraction(m.counts.share(c))}
                          for c in CALIBRATIONS}},
        "method": report.method,
        "previous_recommendations": {
            "cycle": report.previous_recommendations.cycle,
            "recommendations": as_dicts(report.previous_recommendations)},
    }


def report_json(report: SectorReport) -> str:
    """The report's JSON: the published form of a closed cycle's report, and the JSON download."""
    return json.dumps(report_as_dict(report), indent=2, ensure_ascii=False)
