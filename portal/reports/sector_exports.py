"""The MESC report as JSON, CSV and XLSX (pure functions: report -> bytes).

JSON is the nested shape of the issue. CSV and XLSX hold the same flat tables (`report_tables`):
XLSX one sheet per table; CSV one file of sections, each a header row whose first cell is `table`
followed by rows whose first cell names the table, sections separated by a blank line (so a
spreadsheet filter on column A shows one table). Fractions (shares, rates, weakness) are 0-1,
rounded to 4 places in every format; an empty cell / null means "no figure" (nothing graded).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

from portal.reports import recommendations_data
from portal.reports.moderation_data import CALIBRATIONS
from portal.reports.sector_data import QuestionRow, SectorReport, SectorSection, StandardRow
from portal.services.analysis import Tally
from portal.services.common import csv_text, set_text

Cell = str | int | float | None


def fraction(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _tally(tally: Tally) -> dict[str, Any]:
    return {"graded": tally.graded, "weak": tally.weak, "not_applicable": tally.not_applicable,
            "not_answered": tally.not_answered, "weakness": fraction(tally.weakness)}


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
        "change": [{"code": c.code, "title": c.title, "weakness": fraction(c.weakness),
                    "previous_weakness": fraction(c.previous_weakness),
                    "change": fraction(c.change)} for c in section.changes],
    }


def report_as_dict(report: SectorReport) -> dict[str, Any]:
    """The JSON shape: the issue's keys, plus previous cycles, grid, moderation and method."""
    m = report.moderation
    return {
        "cycle": report.cycle, "cohort": report.cohort, "sector": report.sector,
        "tool_version": report.tool_version,
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
                                "weakness": [fraction(c.weakness) if c else None for c in g.cells]}
                               for g in report.grid]},
        "moderation": {"returned": m.returned, "target": m.target,
                       "visits_completed": m.visits_completed, "visits_open": m.visits_open,
                       "compared": m.counts.compared,
                       **{c: {"count": getattr(m.counts, c), "share": fraction(m.counts.share(c))}
                          for c in CALIBRATIONS}},
        "method": report.method,
        "previous_recommendations": {
            "cycle": report.previous_recommendations.cycle,
            "recommendations": recommendations_data.as_dicts(report.previous_recommendations)},
    }


def render_json(report: SectorReport) -> bytes:
    return json.dumps(report_as_dict(report), indent=2, ensure_ascii=False).encode()


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]
    rows: list[list[Cell]]


TALLY_COLUMNS = ["graded", "weak", "not_applicable", "not_answered", "weakness"]


def _tally_cells(tally: Tally) -> list[Cell]:
    return [tally.graded, tally.weak, tally.not_applicable, tally.not_answered,
            fraction(tally.weakness)]


def report_tables(report: SectorReport) -> list[Table]:
    """The flat tables CSV and XLSX hold, in report order."""
    return [_headline(report), _returns(report), _non_returners(report), _standards(report),
            _sector_standards(report), _sector_questions(report), _sector_change(report),
            _grid(report), _moderation(report)]


def _headline(report: SectorReport) -> Table:
    figures = [report.headline, *report.previous_cycles]
    return Table("headline", ["cycle", "cohort", "issued", "returned", "return_rate"],
                 [[f.cycle, f.cohort, f.issued, f.returned, fraction(f.return_rate)]
                  for f in figures])


def _returns(report: SectorReport) -> Table:
    return Table("returns_by_sector", ["sector", "issued", "returned", "return_rate"],
                 [[s.sector, s.issued, s.returned, fraction(s.return_rate)]
                  for s in report.returns_by_sector])


def _non_returners(report: SectorReport) -> Table:
    return Table("non_returners_by_sector", ["sector", "count", "share"],
                 [[s.sector, s.count, fraction(s.share)] for s in report.non_returners_by_sector])


def _standards(report: SectorReport) -> Table:
    return Table("standards", ["rank", "code", "title", *TALLY_COLUMNS],
                 [[i, s.code, s.title, *_tally_cells(s.tally)]
                  for i, s in enumerate(report.standards, 1)])


def _sector_standards(report: SectorReport) -> Table:
    return Table("sector_standards", ["sector", "rank", "code", "title", *TALLY_COLUMNS],
                 [[sec.sector, i, s.code, s.title, *_tally_cells(s.tally)]
                  for sec in report.sectors for i, s in enumerate(sec.standards, 1)])


def _sector_questions(report: SectorReport) -> Table:
    columns = ["sector", "rank", "code", "standard", "text", "requires_improvement", "inadequate",
               *TALLY_COLUMNS]
    return Table("sector_questions", columns,
                 [[sec.sector, i, q.code, q.standard, q.text, q.tally.requires_improvement,
                   q.tally.inadequate, *_tally_cells(q.tally)]
                  for sec in report.sectors for i, q in enumerate(sec.questions, 1)])


def _sector_change(report: SectorReport) -> Table:
    columns = ["sector", "previous_cycle", "code", "title", "weakness", "previous_weakness",
               "change"]
    return Table("sector_change", columns,
                 [[sec.sector, sec.previous_cycle, c.code, c.title, fraction(c.weakness),
                   fraction(c.previous_weakness), fraction(c.change)]
                  for sec in report.sectors for c in sec.changes])


def _grid(report: SectorReport) -> Table:
    return Table("grid", ["code", "title", *report.grid_sectors],
                 [[g.code, g.title, *[fraction(c.weakness) if c else None for c in g.cells]]
                  for g in report.grid])


def _moderation(report: SectorReport) -> Table:
    m = report.moderation
    rows: list[list[Cell]] = [["returned", m.returned, None], ["target", m.target, None],
                              ["visits_completed", m.visits_completed, None],
                              ["visits_open", m.visits_open, None],
                              ["compared", m.counts.compared, None]]
    rows += [[c, getattr(m.counts, c), fraction(m.counts.share(c))] for c in CALIBRATIONS]
    return Table("moderation", ["measure", "count", "share"], rows)


def render_csv(report: SectorReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for n, table in enumerate(report_tables(report)):
        if n:
            writer.writerow([])
        writer.writerow(["table", *table.columns])
        writer.writerows([[table.name, *("" if c is None else csv_text(c) for c in row)]
                          for row in table.rows])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read the text as UTF-8


def render_xlsx(report: SectorReport) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for table in report_tables(report):
        sheet = workbook.create_sheet(table.name)
        sheet.append(table.columns)
        for r, row in enumerate(table.rows, start=2):
            for c, value in enumerate(row, start=1):
                set_text(sheet.cell(row=r, column=c), value)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


FORMATS = {"json": ("application/json", render_json), "csv": ("text/csv", render_csv),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    render_xlsx)}
