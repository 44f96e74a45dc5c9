"""The MESC report as an A4 PDF (a pure function: report -> bytes), with reportlab platypus.

Real text throughout; every chart is followed by a table of its numbers; every percentage has its
graded, N/A and not-answered counts beside it; "Page n of N" on every page.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import CondPageBreak

from portal.reports.moderation_data import CALIBRATION_LABELS, CALIBRATIONS, TARGET_RATE, ModerationSummary
from portal.reports.pdf_common import numbered_canvas
from portal.reports.recommendations_pdf import recommendations_progress
from portal.reports.sector_data import SectorReport, SectorSection, StandardRow
from portal.reports.survey_pdf import survey_page
from portal.services.analysis import Tally

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
QUESTIONS_SHOWN = 5
NO_FIGURE = "—"  # no graded answers, so no weakness figure
BLUE = colors.HexColor("#1d70b8")

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontSize=10, leading=13)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
HEAD_CELL = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")
GRID_HEAD = ParagraphStyle("grid_head", parent=HEAD_CELL, fontSize=7, leading=9)
H1 = ParagraphStyle("h1", parent=_styles["Heading1"], fontSize=18, leading=22)
H2 = ParagraphStyle("h2", parent=_styles["Heading2"], fontSize=14, leading=18)
H3 = ParagraphStyle("h3", parent=_styles["Heading3"], fontSize=11, leading=14)
CAPTION = ParagraphStyle("caption", parent=CELL, textColor=colors.HexColor("#505a5f"))


def pct(value: float | None) -> str:
    return NO_FIGURE if value is None else f"{value * 100:.1f}%"


def points(value: float | None) -> str:
    return NO_FIGURE if value is None else f"{value * 100:+.1f} points"


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def table(rows: list[list[Any]], widths: list[float], *, numeric_from: int = 1,
          tight: bool = False) -> Table:
    """A ruled table with a bold header row; text cells wrap, numbers align right."""
    head = GRID_HEAD if tight else HEAD_CELL
    cells = [[_cell(v, head if r == 0 else CELL) for v in row] for r, row in enumerate(rows)]
    made = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
    made.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b1b4b6")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
        *([("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
          if tight else []),
    ]))
    return made


def _cell(value: Any, style: ParagraphStyle) -> Any:
    if isinstance(value, str) and (len(value) > 14 or style is not CELL):
        return para(value, style)
    return value


def tally_cells(tally: Tally) -> list[Any]:
    return [pct(tally.weakness), tally.weak, tally.graded, tally.not_applicable,
            tally.not_answered]


TALLY_HEAD = ["Weakness", "RI or inadequate", "Graded", "N/A", "Not answered"]
TALLY_WIDTHS = [56.0, 62.0, 44.0, 32.0, 54.0]


def standards_table(rows: list[StandardRow]) -> Table:
    body = [[i, f"{s.code}. {s.title}", *tally_cells(s.tally)] for i, s in enumerate(rows, 1)]
    rest = WIDTH - 34 - sum(TALLY_WIDTHS)
    return table([["Rank", "Standard", *TALLY_HEAD], *body], [34, rest, *TALLY_WIDTHS],
                 numeric_from=2)


def weakness_chart(rows: list[StandardRow]) -> Drawing:
    """Horizontal bars, weakest at the top; the numbers are in the table that follows."""
    shown = [s for s in rows if s.tally.weakness is not None][::-1]
    height = 36 + 16 * max(len(shown), 1)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 28, WIDTH - 200, height - 36
    chart.data = [[round((s.tally.weakness or 0) * 100, 1) for s in shown] or [0]]
    chart.categoryAxis.categoryNames = [_short(f"{s.code}. {s.title}") for s in shown] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    top = max(chart.data[0] + [10])
    chart.valueAxis.valueMax = min(100, (int(top) // 10 + 1) * 10)
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = BLUE
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    drawing.add(String(150, 4, "Share of graded answers that are requires improvement or "
                       "inadequate", fontSize=7))
    return drawing


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_sector_report(report: SectorReport, *, partnership: str = "") -> bytes:
    """The report as PDF bytes."""
    title = f"Compact Audit {report.cycle}: MESC summary"
    if report.sector:
        title += f" ({report.sector})"
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=22 * mm, title=title, author=partnership or "Compact Audit Portal",
        subject="Weakest safeguarding standards by sector: Monitoring, Evaluation and Scrutiny "
                "Committee", creator="Compact Audit Portal",
        keywords="section 11, safeguarding, compact audit, MESC",
    )
    doc.build(_story(report, title, partnership), canvasmaker=numbered_canvas(title))
    return out.getvalue()


def _story(report: SectorReport, title: str, partnership: str) -> list[Flowable]:
    story: list[Flowable] = [para(title, H1)]
    if partnership:
        story.append(para(partnership))
    story += _headline(report)
    story += _non_returners(report)
    story += _weakest(report)
    for section in report.sectors:
        story += _sector(section, report)
    story += _grid(report)
    story += _moderation(report.moderation)
    story += recommendations_progress(report.previous_recommendations)
    story += survey_page(report.survey)
    story += [CondPageBreak(60 * mm), para("How the figures are counted", H2), para(report.method)]
    return story


def _headline(report: SectorReport) -> list[Flowable]:
    text = (f"{report.issued} agencies were issued the self-assessment in {report.cycle} "
            f"(cohort {report.cohort}) and {report.returned} returned it: a return rate of "
            f"{pct(report.return_rate)}.")
    if report.previous_cycles:
        text += " Previous cycles: " + "; ".join(
            f"{f.cycle} {pct(f.return_rate)} ({f.returned} of {f.issued})"
            for f in report.previous_cycles) + "."
    rows = [[f.cycle, f.cohort, f.issued, f.returned, pct(f.return_rate)]
            for f in [report.headline, *report.previous_cycles]]
    return [para("Returns", H2), para(text), Spacer(0, 4),
            table([["Cycle", "Cohort", "Issued", "Returned", "Return rate"], *rows],
                  [80, 60, 70, 70, 80], numeric_from=2), Spacer(0, 8)]


def _non_returners(report: SectorReport) -> list[Flowable]:
    shares = report.non_returners_by_sector
    if not shares:
        return [para("Non-returners by sector", H2), para("Every agency issued returned it.")]
    top = shares[0]
    text = (f"{sum(s.count for s in shares)} agencies did not return it. {pct(top.share)} of "
            f"those not returning were from the {top.sector} sector ({top.count}).")
    rows = [[s.sector, s.count, pct(s.share)] for s in shares]
    return [para("Non-returners by sector", H2), para(text), Spacer(0, 4),
            table([["Sector", "Not returned", "Share of non-returners"], *rows],
                  [180, 80, 120]), Spacer(0, 8)]


def top_three_sentence(report: SectorReport) -> str:
    top = report.top_three
    if not top:
        return "No answers were graded in this cycle, so no standard can be called weakest."
    named = [f"{s.code}. {s.title} ({pct(s.tally.weakness)}: {s.tally.weak} of "
             f"{s.tally.graded} graded answers; {s.tally.not_applicable} N/A and "
             f"{s.tally.not_answered} not answered, not counted)" for s in top]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return (f"The {len(top)} standard{'s' if len(top) > 1 else ''} where agencies most often "
            f"graded themselves requires improvement or inadequate: {listed}.")


def _weakest(report: SectorReport) -> list[Flowable]:
    return [
        CondPageBreak(80 * mm), para("The weakest standards", H2),
        para(top_three_sentence(report)), Spacer(0, 6),
        KeepTogether([weakness_chart(report.standards),
                      para("Figure 1: weakness by standard, weakest first. The numbers are in "
                           "Table 1 below.", CAPTION)]),
        Spacer(0, 6), para("Table 1: standards ranked by weakness", H3),
        standards_table(report.standards), Spacer(0, 8),
    ]


def _sector(section: SectorSection, report: SectorReport) -> list[Flowable]:
    rate = section.returned / section.issued if section.issued else None
    story: list[Flowable] = [
        CondPageBreak(70 * mm), para(f"Sector: {section.sector}", H2),
        para(f"{section.returned} of {section.issued} agencies returned ({pct(rate)})."),
        para(f"{section.sector}: standards ranked by weakness", H3),
        standards_table(section.standards),
        para(f"{section.sector}: questions with the most requires improvement or inadequate "
             "grades", H3),
    ]
    story.append(_questions(section))
    story += _change(section, report)
    return story


def _questions(section: SectorSection) -> Flowable:
    weak = [q for q in section.questions if q.tally.weak][:QUESTIONS_SHOWN]
    if not weak:
        return para("No question was graded requires improvement or inadequate.")
    rows = [[q.code, q.text, q.tally.requires_improvement, q.tally.inadequate, q.tally.graded,
             pct(q.tally.weakness), q.tally.not_applicable, q.tally.not_answered] for q in weak]
    head = ["Code", "Question", "Requires improvement", "Inadequate", "Graded", "Weakness",
            "N/A", "Not answered"]
    widths = [34.0, 0.0, 66.0, 56.0, 44.0, 56.0, 32.0, 54.0]
    widths[1] = WIDTH - sum(widths)
    return table([head, *rows], widths, numeric_from=2)


def _change(section: SectorSection, report: SectorReport) -> list[Flowable]:
    heading = para(f"{section.sector}: change since the previous return of cohort "
                   f"{report.cohort}", H3)
    if not section.previous_cycle:
        return [heading, para(f"There is no earlier return of cohort {report.cohort} from this "
                              "sector to compare with.")]
    rows = [[f"{c.code}. {c.title}", pct(c.weakness), pct(c.previous_weakness), points(c.change)]
            for c in section.changes]
    return [heading, para(f"Weakness in {report.cycle} beside {section.previous_cycle}."),
            table([["Standard", report.cycle, section.previous_cycle, "Change"], *rows],
                  [WIDTH - 240, 70, 70, 100])]


def _grid(report: SectorReport) -> list[Flowable]:
    story: list[Flowable] = [CondPageBreak(90 * mm), para("Standards by sector", H2)]
    if not report.grid:
        return [*story, para("No returns were submitted, so there is nothing to compare.")]
    story.append(para("Weakness of each standard in each sector, with the number of graded "
                      "answers in brackets; N/A and not-answered counts are in each sector's "
                      "section."))
    sectors = report.grid_sectors
    first = 110.0
    rest = (WIDTH - first) / max(len(sectors), 1)
    rows = [[f"{g.code}. {g.title}",
             *[f"{pct(c.weakness)} ({c.graded})" if c else NO_FIGURE for c in g.cells]]
            for g in report.grid]
    return [*story, Spacer(0, 4),
            table([["Standard", *sectors], *rows], [first] + [rest] * len(sectors), tight=True)]


def _moderation(m: ModerationSummary) -> list[Flowable]:
    story: list[Flowable] = [CondPageBreak(60 * mm), para("Moderation", H2)]
    if not m.recorded:
        return [*story, para("No moderation visits recorded for this cycle.")]
    story.append(para(f"{m.visits_completed} moderation visits completed against a target of "
                      f"{m.target} ({TARGET_RATE:.0%} of {m.returned} submitted returns); "
                      f"{m.visits_open} more planned or scheduled."))
    if not m.counts.compared:
        return [*story, para("No findings with a self grade to compare have been recorded.")]
    rows = [[CALIBRATION_LABELS[c], getattr(m.counts, c), pct(m.counts.share(c))] for c in CALIBRATIONS]
    return [*story, para(f"Calibration of {m.counts.compared} findings:"), Spacer(0, 4),
            table([["Finding", "Number", "Share"], *rows], [220, 70, 70])]
