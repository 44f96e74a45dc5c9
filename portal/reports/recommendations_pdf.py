"""Flowables for the MESC PDF's "Progress on the last cycle's recommendations" (pure)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import CondPageBreak

from portal.reports import wording
from portal.reports.pdf_common import BOLD, IN_FONT, heading, portal_styles
from portal.services.reporting import PreviousRecommendations

TITLE = wording.RECOMMENDATIONS
_styles = portal_styles()
_BODY = ParagraphStyle("rec_body", parent=_styles["BodyText"], fontSize=10, leading=13)
_CELL = ParagraphStyle("rec_cell", parent=_BODY, fontSize=8, leading=10)
_HEAD = ParagraphStyle("rec_head", parent=_CELL, fontName=BOLD)
_H2 = ParagraphStyle("rec_h2", parent=_styles["Heading2"], fontSize=14, leading=18)
WIDTHS = [150, 90, 55, 60, 150]


def recommendations_progress(section: PreviousRecommendations) -> list[Flowable]:
    """The section: a sentence, then a table of each recommendation and its latest update."""
    story: list[Flowable] = [CondPageBreak(50 * mm), heading(TITLE, _H2)]
    story.append(Paragraph(escape(wording.recommendations_sentence(section)), _BODY))
    if not section.rows:
        return story
    rows = [["Recommendation", "Owner", "Due", "Status", "Latest update"]] + [
        [r.text, r.owner, f"{r.due_on.day} {r.due_on:%b %Y}", r.status,
         f"{r.latest_on.day} {r.latest_on:%b %Y}: {r.latest_note}" if r.latest_on else "None yet"]
        for r in section.rows]
    cells = [[Paragraph(escape(str(v)), _HEAD if n == 0 else _CELL) for v in row]
             for n, row in enumerate(rows)]
    made = Table(cells, colWidths=WIDTHS, repeatRows=1, hAlign="LEFT", splitInRow=1)
    made.setStyle(TableStyle([
        IN_FONT, ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b1b4b6")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return [*story, Spacer(0, 4), made, Spacer(0, 8)]
