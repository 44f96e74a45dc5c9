"""The MESC report as an A4 PDF (a pure function: report -> bytes), with reportlab platypus.

Page 1 is the summary (sector_pdf_summary); the detail follows, one section per sector, and no
table is printed twice. Real text throughout; every chart is followed by a table of its numbers;
every percentage has its graded, N/A and not-answered counts beside it; "Page n of N" on every
page, and "Provisional: ..." at the top of every page while agencies can still return.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table
from reportlab.platypus.flowables import CondPageBreak

from portal.reports import wording
from portal.reports.pdf_common import (
    BODY,
    CAPTION,
    FONT,
    H2,
    H3,
    SMALL,
    OutlinedDocTemplate,
    heading,
    numbered_canvas,
    para,
    table,
)
from portal.reports.recommendations_pdf import recommendations_progress
from portal.reports.sector_pdf_summary import MARGIN, WIDTH, summary_page
from portal.reports.survey_pdf import survey_page
from portal.reports.wording import (
    SMALL_N_KEY,
    change_words,
    has_small_n,
    marked_pct,
    more_na_blank,
    pct,
    points,
    provisional_line,
    returns_sentence,
    top_three_sentence,
)
from portal.services.analysis import Tally
from portal.services.reporting import SectorReport, SectorSection, StandardRow

__all__ = ["QUESTIONS_SHOWN", "pct", "points", "render_sector_report", "top_three_sentence"]

QUESTIONS_SHOWN = 5
BLUE = colors.HexColor("#1d70b8")
LABEL_CHARACTERS = 30  # chart labels wrap onto a second line after this, never cut
TABLE_TITLE = ParagraphStyle("table_title", parent=H3)  # a table's title: not a section


def tally_cells(tally: Tally) -> list[Any]:
    return [marked_pct(tally), tally.weak, tally.graded, tally.not_applicable,
            tally.not_answered]


TALLY_HEAD = ["Weakness", "RI or inadequate", "Graded", "N/A", "Not answered"]
TALLY_WIDTHS = [56.0, 62.0, 44.0, 32.0, 54.0]


def standards_table(rows: list[StandardRow]) -> Table:
    body = [[i, f"{s.code}. {s.title}", *tally_cells(s.tally)] for i, s in enumerate(rows, 1)]
    rest = WIDTH - 34 - sum(TALLY_WIDTHS)
    return table([["Rank", "Standard", *TALLY_HEAD], *body], [34, rest, *TALLY_WIDTHS],
                 numeric_from=2)


def small_n_key(tallies: list[Tally]) -> list[Flowable]:
    """The key to the small-number mark, under a table that uses it."""
    return [para(SMALL_N_KEY, SMALL)] if has_small_n(tallies) else []


def chart_label(row: StandardRow) -> str:
    """The standard's number and title, wrapped onto lines (reportlab labels keep newlines)."""
    return "\n".join(textwrap.wrap(f"{row.code}. {row.title}", LABEL_CHARACTERS))


def weakness_chart(rows: list[StandardRow]) -> Drawing:
    """Horizontal bars, weakest at the top; the numbers are in the table that follows."""
    shown = [s for s in rows if s.tally.weakness is not None][::-1]
    height = 36 + 20 * max(len(shown), 1)
    drawing = Drawing(WIDTH, height, initialFontName=FONT)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 28, WIDTH - 200, height - 36
    chart.data = [[round((s.tally.weakness or 0) * 100, 1) for s in shown] or [0]]
    chart.categoryAxis.categoryNames = [chart_label(s) for s in shown] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.leading = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.textAnchor = "end"
    chart.valueAxis.valueMin = 0
    top = max(chart.data[0] + [10])
    chart.valueAxis.valueMax = min(100, (int(top) // 10 + 1) * 10)
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = BLUE
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    drawing.add(String(150, 4, "Share of graded answers that are requires improvement or "
                       "inadequate", fontName=FONT, fontSize=7))
    return drawing


def render_sector_report(report: SectorReport, *, partnership: str = "") -> bytes:
    """The report as PDF bytes."""
    title = f"Compact Audit {report.cycle}: MESC summary"
    if report.sector:
        title += f" ({report.sector})"
    out = io.BytesIO()
    doc = OutlinedDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=22 * mm, title=title, author=partnership or "Compact Audit Portal",
        subject="Weakest safeguarding standards by sector: Monitoring, Evaluation and Scrutiny "
                "Committee", creator="Compact Audit Portal",
        keywords="section 11, safeguarding, compact audit, MESC",
    )
    canvas = numbered_canvas(title, provisional_line(report))
    doc.build(_story(report, title, partnership), canvasmaker=canvas)
    return out.getvalue()


def _story(report: SectorReport, title: str, partnership: str) -> list[Flowable]:
    story = [*summary_page(report, title, partnership), PageBreak(),
             heading(wording.DETAIL, H2), *_returns(report)]
    if report.sector is None:  # a one-sector report's ranking is its sector section's
        story += _weakest(report)
    story += _more_na_blank(report)
    for section in report.sectors:
        story += _sector(section, report)
    story += recommendations_progress(report.previous_recommendations)
    story += survey_page(report.survey)
    story += [CondPageBreak(60 * mm), heading(wording.METHOD, H2), para(report.method)]
    return story


def _returns(report: SectorReport) -> list[Flowable]:
    rows = [[f.cycle, f.cohort, f.issued, f.returned, pct(f.return_rate)]
            for f in [report.headline, *report.previous_cycles]]
    return [heading(wording.OVER_THE_YEARS, H3), para(returns_sentence(report)), Spacer(0, 4),
            table([["Cycle", "Cohort", "Issued", "Returned", "Return rate"], *rows],
                  [80, 60, 70, 70, 80], numeric_from=2), Spacer(0, 8)]


def _weakest(report: SectorReport) -> list[Flowable]:
    return [
        CondPageBreak(80 * mm), heading(wording.WEAKEST_ALL, H3),
        para(top_three_sentence(report)), Spacer(0, 6),
        KeepTogether([weakness_chart(report.standards),
                      para("Figure 1: weakness by standard, weakest first. The numbers are in "
                           "Table 1 below.", CAPTION)]),
        Spacer(0, 6), para("Table 1: standards ranked by weakness", TABLE_TITLE),
        standards_table(report.standards), *small_n_key([s.tally for s in report.standards]),
        Spacer(0, 8),
    ]


def _more_na_blank(report: SectorReport) -> list[Flowable]:
    rest = more_na_blank(report)
    if not rest:
        return []
    return [CondPageBreak(40 * mm), heading(wording.MORE_NA_BLANK, H3),
            *[para(q.sentence) for q in rest], Spacer(0, 8)]


def _sector(section: SectorSection, report: SectorReport) -> list[Flowable]:
    rate = section.returned / section.issued if section.issued else None
    return [
        CondPageBreak(90 * mm), heading(wording.sector_heading(section.sector), H2),
        para(f"{section.returned} of {section.issued} agencies returned ({pct(rate)})."),
        KeepTogether([weakness_chart(section.standards),
                      para(f"Figure: {section.sector}, weakness by standard, weakest first. The "
                           "numbers are in the table below.", CAPTION)]),
        para(f"{section.sector}: standards ranked by weakness", TABLE_TITLE),
        standards_table(section.standards), *small_n_key([s.tally for s in section.standards]),
        para(f"{section.sector}: questions with the most requires improvement or inadequate "
             "grades", TABLE_TITLE),
        *_questions(section), *_change(section, report),
    ]


def _questions(section: SectorSection) -> list[Flowable]:
    weak = [q for q in section.questions if q.tally.weak][:QUESTIONS_SHOWN]
    if not weak:
        return [para("No question was graded requires improvement or inadequate.")]
    rows = [[q.code, q.text, q.tally.requires_improvement, q.tally.inadequate, q.tally.graded,
             marked_pct(q.tally), q.tally.not_applicable, q.tally.not_answered] for q in weak]
    head = ["Code", "Question", "Requires improvement", "Inadequate", "Graded", "Weakness",
            "N/A", "Not answered"]
    widths = [34.0, 0.0, 66.0, 56.0, 44.0, 56.0, 32.0, 54.0]
    widths[1] = WIDTH - sum(widths)
    return [table([head, *rows], widths, numeric_from=2), *small_n_key([q.tally for q in weak])]


def _change(section: SectorSection, report: SectorReport) -> list[Flowable]:
    title = para(f"{section.sector}: change since the previous return of cohort "
                 f"{report.cohort}", TABLE_TITLE)
    if not section.previous_cycle:
        return [title, para(f"There is no earlier return of cohort {report.cohort} from this "
                              "sector to compare with.")]
    rows = [[f"{c.code}. {c.title}", pct(c.weakness), pct(c.previous_weakness), change_words(c)]
            for c in section.changes]
    return [title, para(f"Weakness in {report.cycle} beside {section.previous_cycle}: a fall "
                          "is better, a rise worse.", BODY),
            table([["Standard", report.cycle, section.previous_cycle, "Change"], *rows],
                  [WIDTH - 290, 60, 60, 170])]
