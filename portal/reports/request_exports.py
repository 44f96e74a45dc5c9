"""An information request's responses as CSV, XLSX and a PDF for the committee (pure functions)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.reports.pdf_common import BOLD, IN_FONT, numbered_canvas, portal_styles
from portal.services.common import csv_text, set_text
from portal.services.requests import Responses

UK = ZoneInfo("Europe/London")
_styles = portal_styles()
BODY = ParagraphStyle("req_body", parent=_styles["BodyText"], fontSize=10, leading=13)
CELL = ParagraphStyle("req_cell", parent=BODY, fontSize=8, leading=10)
HEAD = ParagraphStyle("req_head", parent=CELL, fontName=BOLD)
H1 = ParagraphStyle("req_h1", parent=_styles["Heading1"], fontSize=18, leading=22)
H2 = ParagraphStyle("req_h2", parent=_styles["Heading2"], fontSize=13, leading=17)


def answered_on(value: datetime | None) -> str:
    """The UK date and time an agency answered, or "Not answered"."""
    if value is None:
        return "Not answered"
    return value.replace(tzinfo=UTC).astimezone(UK).strftime("%d/%m/%Y %H:%M")


def table_rows(data: Responses) -> list[list[str]]:
    """Header, then one row per agency: the flat table CSV and XLSX hold."""
    head = ["Agency", "Sector", "Answered (UK time)", *[f"Q{n}. {q}" for n, q in
                                                         enumerate(data.questions, 1)]]
    return [head, *[[r.agency, r.sector, answered_on(r.answered_at), *r.values]
                    for r in data.rows]]


def render_csv(data: Responses) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in table_rows(data):
        writer.writerow([csv_text(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def render_xlsx(data: Responses) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Responses"
    for r, row in enumerate(table_rows(data), 1):
        for c, value in enumerate(row, 1):
            set_text(sheet.cell(row=r, column=c), value)
    rates = book.create_sheet("Response rate by sector")
    rates.append(["Sector", "Sent", "Answered", "Response rate"])
    for rate in [*data.rates, data.total]:
        rates.append([rate.sector, rate.sent, rate.answered,
                      None if rate.rate is None else round(rate.rate, 4)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    cells = [[Paragraph(escape(v), HEAD if n == 0 else CELL) for v in row]
             for n, row in enumerate(rows)]
    made = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=1)
    made.setStyle(TableStyle([IN_FONT, ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b1b4b6")),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                              ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return made


def render_pdf(data: Responses, *, partnership: str = "") -> bytes:
    """The responses compiled for the committee: the rate by sector, then each question's answers."""
    out = io.BytesIO()
    title = f"Information request: {data.title}"
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, title=title,
                            author=partnership)
    total = data.total
    story: list[Flowable] = [
        Paragraph(escape(title), H1),
        Paragraph(escape(f"From {data.signatory}; answers were due by {data.deadline}. "
                         f"{total.answered} of {total.sent} agencies answered "
                         f"({_pct(total.rate)})."), BODY),
        Spacer(0, 6), Paragraph("Response rate by sector", H2),
        _table([["Sector", "Sent", "Answered", "Response rate"],
                *[[r.sector, str(r.sent), str(r.answered), _pct(r.rate)]
                  for r in [*data.rates, total]]], [200, 70, 70, 90]),
    ]
    answered = [r for r in data.rows if r.answered_at is not None]
    for n, question in enumerate(data.questions, 1):
        story += [Spacer(0, 8), Paragraph(escape(f"Question {n}: {question}"), H2)]
        rows = [[r.agency, r.sector, r.values[n - 1]] for r in answered]
        story.append(_table([["Agency", "Sector", "Answer"], *rows], [140, 100, 240]) if rows
                     else Paragraph("No answers yet.", BODY))
    missing = [r.agency for r in data.rows if r.answered_at is None]
    story += [Spacer(0, 8), Paragraph("Not answered", H2),
              Paragraph(escape(", ".join(missing) if missing else "Every agency answered."), BODY)]
    doc.build(story, canvasmaker=numbered_canvas(title))
    return out.getvalue()


FORMATS = {
    "csv": ("text/csv", render_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", render_xlsx),
}
