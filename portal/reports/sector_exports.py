"""The MESC report as JSON, CSV and XLSX (pure functions: report -> bytes). docs/reports.md
describes every shape.

JSON is the nested shape. XLSX holds the flat tables (`report_tables`), one sheet per table, with
shares as numbers in a percent format, a frozen header row and an autofilter. CSV is one tidy long
table (`tidy_rows`): one row per cycle, sector, standard or question and measure, with its value.
Fractions (shares, rates, weakness) are 0-1, rounded to 4 places in JSON and CSV; an empty cell /
null means "no figure" (nothing graded, or too few to compare); the XLSX grid says "too few to
compare" in a cell whose figure rests on too few agencies.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from portal.services.analysis import Tally
from portal.services.common import csv_text, set_text
from portal.services.reporting import (
    CALIBRATIONS,
    GridCell,
    SectorReport,
    SectorSection,
    fraction,
    report_json,
)

Cell = str | int | float | None

PERCENT_FORMAT = "0.0%"
FRACTION_COLUMNS = {"return_rate", "share", "weakness", "previous_weakness", "change"}


def render_json(report: SectorReport) -> bytes:
    return report_json(report).encode()


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
            _grid(report), _na_blank_table(report), _moderation(report)]


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
               "change", "direction", "graded", "previous_graded", "left_out_because"]
    return Table("sector_change", columns,
                 [[sec.sector, sec.previous_cycle, c.code, c.title, fraction(c.weakness),
                   fraction(c.previous_weakness), fraction(c.change), c.direction, c.graded,
                   c.previous_graded, c.left_out_because]
                  for sec in report.sectors for c in sec.changes])


def _na_blank_table(report: SectorReport) -> Table:
    columns = ["code", "text", "sector", "not_applicable", "not_answered", "answers", "share",
               "sentence"]
    rows: list[list[Cell]] = []
    for q in report.na_blank:
        na = {c.sector: c.count for c in q.not_applicable}
        blank = {c.sector: c.count for c in q.not_answered}
        rows += [[q.code, q.text, sector, na.get(sector, 0), blank.get(sector, 0), None, None, None]
                 for sector in [*na, *[b for b in blank if b not in na]]]
        rows.append([q.code, q.text, "All sectors", q.not_applicable_total,
                     q.not_answered_total, q.answers, fraction(q.share), q.sentence])
    return Table("na_blank", columns, rows)


TOO_FEW = "too few to compare"


def _grid_value(cell: GridCell) -> Cell:
    """A grid cell's weakness; the words "too few to compare" in place of a figure that rests
    on too few agencies (the same cells the page and the PDF leave unshaded)."""
    if cell.tally is None:
        return None
    return TOO_FEW if cell.too_few else fraction(cell.tally.weakness)


def _grid(report: SectorReport) -> Table:
    return Table("grid", ["code", "title", *report.grid_sectors],
                 [[g.code, g.title, *[_grid_value(c) for c in g.shown]] for g in report.grid])


def _moderation(report: SectorReport) -> Table:
    m = report.moderation
    rows: list[list[Cell]] = [["returned", m.returned, None], ["target", m.target, None],
                              ["visits_completed", m.visits_completed, None],
                              ["visits_open", m.visits_open, None],
                              ["compared", m.counts.compared, None]]
    rows += [[c, getattr(m.counts, c), fraction(m.counts.share(c))] for c in CALIBRATIONS]
    return Table("moderation", ["measure", "count", "share"], rows)


TIDY_COLUMNS = ["cycle", "sector", "standard", "question", "label", "measure", "value"]
TALLY_MEASURES = ["graded", "requires_improvement", "inadequate", "weak", "not_applicable",
                  "not_answered", "weakness"]


def _measures(keys: list[Cell], pairs: list[tuple[str, Cell]]) -> list[list[Cell]]:
    return [[*keys, measure, value] for measure, value in pairs]


def _tally_measures(keys: list[Cell], tally: Tally, rank: int) -> list[list[Cell]]:
    pairs: list[tuple[str, Cell]] = [("rank", rank)]
    pairs += [(m, fraction(tally.weakness) if m == "weakness" else getattr(tally, m))
              for m in TALLY_MEASURES]
    return _measures(keys, pairs)


def tidy_rows(report: SectorReport) -> list[list[Cell]]:
    """The CSV: every figure of the report once, as (cycle, sector, standard, question, label,
    measure, value); an empty sector means all sectors (or the report's one sector)."""
    cycle, all_ = report.cycle, report.sector or ""
    rows: list[list[Cell]] = []
    for f in [report.headline, *report.previous_cycles]:
        rows += _measures([f.cycle, all_, "", "", f"cohort {f.cohort}"], [
            ("issued", f.issued), ("returned", f.returned),
            ("return_rate", fraction(f.return_rate))])
    if report.provisional:
        rows += _measures([cycle, all_, "", "", "provisional"],
                          [("can_still_return", report.can_still_return)])
    shares = {s.sector: s.share for s in report.non_returners_by_sector}
    for s in report.returns_by_sector:
        rows += _measures([cycle, s.sector, "", "", ""], [
            ("issued", s.issued), ("returned", s.returned), ("not_returned", s.not_returned),
            ("return_rate", fraction(s.return_rate)),
            ("share_of_non_returners", fraction(shares.get(s.sector, 0.0)))])
    if report.sector is None:  # a one-sector report's standards are its sector's, below
        for rank, st in enumerate(report.standards, 1):
            rows += _tally_measures([cycle, "", st.code, "", st.title], st.tally, rank)
    for sec in report.sectors:
        rows += _sector_rows(cycle, sec)
    rows += _moderation_rows(report, all_)
    return rows


def _sector_rows(cycle: str, sec: SectorSection) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for rank, st in enumerate(sec.standards, 1):
        rows += _tally_measures([cycle, sec.sector, st.code, "", st.title], st.tally, rank)
    for rank, q in enumerate(sec.questions, 1):
        rows += _tally_measures([cycle, sec.sector, q.standard, q.code, q.text], q.tally, rank)
    for c in sec.changes:
        rows += _measures([sec.previous_cycle, sec.sector, c.code, "", c.title], [
            ("graded", c.previous_graded), ("weakness", fraction(c.previous_weakness))])
        rows += _measures([cycle, sec.sector, c.code, "", c.title],
                          [("change_since_previous", fraction(c.change))])
    return rows


def _moderation_rows(report: SectorReport, sector: str) -> list[list[Cell]]:
    m = report.moderation
    pairs: list[tuple[str, Cell]] = [
        ("moderation_visits_target", m.target), ("moderation_visits_held", m.visits_completed),
        ("moderation_visits_open", m.visits_open), ("findings_compared", m.counts.compared)]
    for c in CALIBRATIONS:
        pairs += [(f"findings_{c}", getattr(m.counts, c)),
                  (f"findings_{c}_share", fraction(m.counts.share(c)))]
    return _measures([report.cycle, sector, "", "", "moderation"], pairs)


def render_csv(report: SectorReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TIDY_COLUMNS)
    writer.writerows([["" if c is None else csv_text(c) for c in row] for row in tidy_rows(report)])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read the text as UTF-8


def render_xlsx(report: SectorReport) -> bytes:
    from openpyxl import Workbook  # lazily: the CLI and the app start without it

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for table in report_tables(report):
        sheet = workbook.create_sheet(table.name)
        sheet.append(table.columns)
        percent = {c for c, name in enumerate(table.columns, start=1)
                   if name in FRACTION_COLUMNS or (table.name == "grid" and c > 2)}
        for r, row in enumerate(table.rows, start=2):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                set_text(cell, value)
                if c in percent:
                    cell.number_format = PERCENT_FORMAT
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
