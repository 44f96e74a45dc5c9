"""Page 1 of the MESC PDF: the summary a committee reads first (return rate by sector, the three
weakest standards, moderation, the shaded sector x standard grid, N/A and blank answers)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from portal.reports import wording
from portal.reports.pdf_common import (
    BOLD,
    CELL,
    H1,
    H3,
    HEAD_FILL,
    IN_FONT,
    RULE,
    SMALL,
    SectionMark,
    heading,
    para,
)
from portal.reports.shading import BANDS, BLACK, TOO_FEW_FILL, band
from portal.reports.wording import (
    NO_FIGURE,
    calibration_sentence,
    page_one_questions,
    pct,
    provisional_line,
    standard_counts,
    too_few_count,
    too_few_note,
    visits_sentence,
)
from portal.services.reporting import GridCell, SectorReport

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
STANDARD_COLUMN = 120.0
GRID_FONT = 7.0
GRID_CELL = ParagraphStyle("grid_cell", parent=CELL, fontSize=GRID_FONT, leading=8,
                           alignment=TA_CENTER)
TOO_FEW_CELL = ParagraphStyle("too_few_cell", parent=GRID_CELL, fontSize=6, leading=7.5)
GRID_TITLE = ParagraphStyle("grid_title", parent=CELL, fontSize=7.5, leading=8.6)
H3_TIGHT = ParagraphStyle("h3_tight", parent=H3, spaceBefore=6, spaceAfter=3, keepWithNext=1)
PADDING = [("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
           ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]


def summary_page(report: SectorReport, title: str, partnership: str) -> list[Flowable]:
    """Everything page 1 holds, in reading order."""
    facts = [partnership, f"cohort {report.cohort}", f"tool version {report.tool_version}"]
    story: list[Flowable] = [para(title, H1), para(" · ".join(f for f in facts if f), SMALL)]
    if report.provisional:
        story.append(para(f"{provisional_line(report)}. These figures will change: agencies "
                          f"that have not returned are counted as {report.not_returned_label}.",
                          SMALL))
    marks = [wording.RETURNS_BY_SECTOR, wording.weakest_heading(report), wording.MODERATION]
    story += [Spacer(0, 4), *[SectionMark(m) for m in marks], _returns_and_findings(report),
              Spacer(0, 6), *grid(report),
              *_na_blank(report)]
    return story


def _returns_and_findings(report: SectorReport) -> Table:
    """Return rate by sector on the left; the weakest standards and moderation on the right."""
    left = WIDTH * 0.53
    side = Table([[_returns(report, left - 6), _findings(report)]], colWidths=[left, WIDTH - left])
    side.setStyle(TableStyle([IN_FONT, ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (0, 0), 6)]))
    return side


def _returns(report: SectorReport, width: float) -> list[Flowable]:
    label = report.not_returned_label.replace(" it", "").capitalize()
    rows = [[Paragraph(escape(s.sector), GRID_TITLE), s.issued, s.returned, pct(s.return_rate),
             s.not_returned] for s in report.returns_by_sector]
    total = [["All sectors", report.issued, report.returned, pct(report.return_rate),
              report.issued - report.returned]] if report.sector is None else []
    head = [Paragraph(f"<b>{h}</b>", GRID_TITLE)
            for h in ("Sector", "Issued", "Returned", "Return rate", label)]
    made = Table([head, *rows, *total], colWidths=[width - 4 * 40.0] + [40.0] * 4, hAlign="LEFT")
    made.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, RULE), ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        IN_FONT, ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 1), (-1, -1), "RIGHT"), *PADDING,
        *([("FONTNAME", (0, -1), (-1, -1), BOLD)] if total else []),
    ]))
    return [para(wording.RETURNS_BY_SECTOR, H3_TIGHT), made]


def _findings(report: SectorReport) -> list[Flowable]:
    top = report.top_three
    story: list[Flowable] = [para(wording.weakest_heading(report), H3_TIGHT)]
    if not top:
        story.append(para("No answers were graded, so no standard can be called weakest.", SMALL))
    for n, row in enumerate(top, 1):
        story.append(Paragraph(f"<b>{n}. {escape(row.code)}. {escape(row.title)}</b>: "
                               f"{escape(standard_counts(row))}.", SMALL))
    m = report.moderation
    story += [para(wording.MODERATION, H3_TIGHT), para(visits_sentence(m), SMALL)]
    if m.recorded:
        story.append(para(calibration_sentence(m), SMALL))
    return story


def grid(report: SectorReport) -> list[Flowable]:
    """The sector x standard grid, darker where weaker, with its legend and too-few note."""
    title = heading(f"{wording.GRID}", H3_TIGHT)
    if not report.grid:
        return [title, para("No returns were submitted, so there is nothing to compare.", SMALL)]
    sectors = report.grid_sectors
    column = (WIDTH - STANDARD_COLUMN) / len(sectors)
    head = [Paragraph("<b>Standard</b>", GRID_TITLE),
            *[Paragraph(f"<b>{escape(s)}</b>", _header_style(sectors, column)) for s in sectors]]
    rows = [[Paragraph(escape(f"{g.code}. {g.title}"), GRID_TITLE), *[_grid_cell(c) for c in g.shown]]
            for g in report.grid]
    made = Table([head, *rows], colWidths=[STANDARD_COLUMN] + [column] * len(sectors),
                 repeatRows=1, hAlign="LEFT")
    style = [IN_FONT, ("GRID", (0, 0), (-1, -1), 0.5, colors.white),
             ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
             ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), *PADDING]
    for r, g in enumerate(report.grid, 1):
        for c, cell in enumerate(g.shown, 1):
            style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(_fill(cell))))
    made.setStyle(TableStyle(style))
    note = too_few_note(report)
    return [title, made, Spacer(0, 3), _legend(), *([para(note, SMALL)] if note else [])]


def _header_style(sectors: list[str], column: float) -> ParagraphStyle:
    """Sector names wrap between words, never inside one: shrink the font until the longest
    word fits its column."""
    longest = max((w for s in sectors for w in s.split()), key=len)
    size = GRID_FONT
    while size > 5 and stringWidth(longest, BOLD, size) > column - 5:
        size -= 0.5
    return ParagraphStyle(f"grid_head_{size}", parent=GRID_CELL, fontSize=size,
                          leading=size * 1.2)


def _fill(cell: GridCell) -> str:
    if cell.tally is None or cell.too_few or cell.tally.weakness is None:
        return TOO_FEW_FILL
    return BANDS[band(cell.tally.weakness)].fill


def _grid_cell(cell: GridCell) -> Paragraph:
    tally = cell.tally
    if tally is None:
        return Paragraph(f"{NO_FIGURE}<br/>not asked", GRID_CELL)
    if cell.too_few:
        return Paragraph(f"<i>too few to<br/>compare</i>, {too_few_count(tally, cell.agencies)}",
                         TOO_FEW_CELL)
    colour = BANDS[band(tally.weakness or 0.0)].text
    return Paragraph(f'<font color="{colour}"><b>{pct(tally.weakness)}</b><br/>'
                     f"n={tally.graded}</font>", GRID_CELL)


def _legend() -> Table:
    cells = [Paragraph(f'<font color="{b.text}">{b.label}</font>', GRID_CELL) for b in BANDS]
    cells.append(Paragraph(f'<font color="{BLACK}"><i>too few to compare</i></font>', GRID_CELL))
    made = Table([["Key:", *cells]], colWidths=[28.0] + [(WIDTH - 28) / 6] * 6, hAlign="LEFT")
    made.setStyle(TableStyle([
        IN_FONT, ("FONTSIZE", (0, 0), (0, 0), 7),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (1, 0), (-1, -1), 0.5, colors.white),
        *[("BACKGROUND", (n, 0), (n, 0), colors.HexColor(b.fill)) for n, b in enumerate(BANDS, 1)],
        ("BACKGROUND", (-1, 0), (-1, 0), colors.HexColor(TOO_FEW_FILL)),
    ]))
    return Table([[made], [para("Darker is weaker. Each cell: the share of graded answers that "
                                "are requires improvement or inadequate, and n, the number of "
                                "graded answers (N/A and not answered left out).", SMALL)]],
                 colWidths=[WIDTH], hAlign="LEFT",
                 style=[IN_FONT, ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)])


def _na_blank(report: SectorReport) -> list[Flowable]:
    shown = page_one_questions(report)
    if not shown:
        return []
    story: list[Flowable] = [heading(wording.NA_BLANK, H3_TIGHT)]
    story += [para(q.sentence, SMALL) for q in shown]
    more = len(report.na_blank) - len(shown)
    if more > 0:
        story.append(para(f"{more} more question{'s' if more > 1 else ''} with many N/A or blank "
                          "answers follow in the detail.", SMALL))
    return story
