"""What every PDF of the portal shares: a footer with "Page N of M" on each page (and, for a
provisional report, a line at the top of each page); text styles and a ruled table."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

FOOTER_GREY = colors.HexColor("#505a5f")
FOOTER_MARGIN = 18 * mm
RULE = colors.HexColor("#b1b4b6")
HEAD_FILL = colors.HexColor("#f3f2f1")

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontSize=10, leading=13)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11, spaceBefore=0,
                       spaceAfter=2)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
HEAD_CELL = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")
GRID_HEAD = ParagraphStyle("grid_head", parent=HEAD_CELL, fontSize=7, leading=9)
H1 = ParagraphStyle("h1", parent=_styles["Heading1"], fontSize=18, leading=22)
H2 = ParagraphStyle("h2", parent=_styles["Heading2"], fontSize=14, leading=18)
H3 = ParagraphStyle("h3", parent=_styles["Heading3"], fontSize=11, leading=14)
CAPTION = ParagraphStyle("caption", parent=CELL, textColor=FOOTER_GREY)


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def table(rows: list[list[Any]], widths: list[float], *, numeric_from: int = 1,
          tight: bool = False) -> Table:
    """A ruled table with a bold header row; text cells wrap, numbers align right."""
    head = GRID_HEAD if tight else HEAD_CELL
    cells = [[_cell(v, head if r == 0 else CELL) for v in row] for r, row in enumerate(rows)]
    made = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=1)
    made.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
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


class NumberedCanvas(Canvas):
    """Defers each page so the footer can say 'Page n of N' (two passes)."""

    footer = ""
    header = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        widest = f"Page {total} of {total}"
        footer = fit(self.footer, "Helvetica", 8, A4[0] - 2 * FOOTER_MARGIN
                     - stringWidth(widest, "Helvetica", 8) - 6 * mm)
        header = fit(self.header, "Helvetica-Bold", 9, A4[0] - 2 * FOOTER_MARGIN)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.setFillColor(FOOTER_GREY)
            self.drawString(FOOTER_MARGIN, 10 * mm, footer)
            self.drawRightString(A4[0] - FOOTER_MARGIN, 10 * mm,
                                 f"Page {self.getPageNumber()} of {total}")
            if header:
                self.setFont("Helvetica-Bold", 9)
                self.setFillColor(colors.black)
                self.drawString(FOOTER_MARGIN, A4[1] - 11 * mm, header)
            super().showPage()
        super().save()


def fit(text: str, font: str, size: float, width: float) -> str:
    """The text, cut short with an ellipsis if it is wider than `width` (a footer's long name)."""
    full = stringWidth(text, font, size)
    if full <= width:
        return text
    text = text[:int(len(text) * width / full) + 1]  # about as many letters as fit
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def numbered_canvas(footer: str, header: str = "") -> type[NumberedCanvas]:
    """The canvas class for a document whose every page carries `footer` (and `header`, when
    given, at the top); reportlab makes it."""
    return type("FootedCanvas", (NumberedCanvas,), {"footer": footer, "header": header})
