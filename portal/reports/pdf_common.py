"""What every PDF of the portal shares: one embedded Unicode font (so Welsh and Polish names keep
every letter), a footer with "Page N of M" on each page (and, for a provisional report, a line at
the top of each page); text styles and a ruled table."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import registerFont, registerFontFamily, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FOOTER_GREY = colors.HexColor("#505a5f")
FOOTER_MARGIN = 18 * mm
RULE = colors.HexColor("#b1b4b6")
HEAD_FILL = colors.HexColor("#f3f2f1")

# Debian's fonts-dejavu-core (scripts/setup.sh installs it): reportlab's standard fonts hold
# only Latin-1-like letters, so "ł" or "Ŵ" came out as a black box or nothing.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
VERA = Path(reportlab.__file__).parent / "fonts"  # reportlab's own, if DejaVu is missing
FONT, BOLD, ITALIC, BOLD_ITALIC = ("PortalSans", "PortalSans-Bold", "PortalSans-Oblique",
                                   "PortalSans-BoldOblique")
_FILES = {FONT: ("DejaVuSansCondensed.ttf", "Vera.ttf"),
          BOLD: ("DejaVuSansCondensed-Bold.ttf", "VeraBd.ttf"),
          ITALIC: ("DejaVuSansCondensed-Oblique.ttf", "VeraIt.ttf"),
          BOLD_ITALIC: ("DejaVuSansCondensed-BoldOblique.ttf", "VeraBI.ttf")}
# the standard fonts reportlab's sample styles, tables and charts name, and the portal's for each
_STANDARD = {"Helvetica": FONT, "Helvetica-Bold": BOLD, "Helvetica-Oblique": ITALIC,
             "Helvetica-BoldOblique": BOLD_ITALIC}


def register_fonts(folder: Path = DEJAVU) -> None:
    """Registers the portal's font family with reportlab (DejaVu Sans, or reportlab's Vera with a
    warning when DejaVu is not installed), so `<b>` and `<i>` pick its bold and italic."""
    dejavu = (folder / _FILES[FONT][0]).is_file()
    if not dejavu:
        logging.getLogger(__name__).warning(
            "%s is missing (Debian: fonts-dejavu-core): PDFs lose letters outside Latin-1", folder)
    for name, (dejavu_file, vera_file) in _FILES.items():
        registerFont(TTFont(name, folder / dejavu_file if dejavu else VERA / vera_file))
    registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)


def portal_styles() -> StyleSheet1:
    """reportlab's sample styles, in the portal's font."""
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        if isinstance(style, ParagraphStyle):
            style.fontName = _STANDARD.get(style.fontName, style.fontName)
    return styles


register_fonts()
# every table names a font for its cells, even when each cell is a paragraph in its own style
IN_FONT = ("FONTNAME", (0, 0), (-1, -1), FONT)
_styles = portal_styles()
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontSize=10, leading=13)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11, spaceBefore=0,
                       spaceAfter=2)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
HEAD_CELL = ParagraphStyle("head", parent=CELL, fontName=BOLD)
GRID_HEAD = ParagraphStyle("grid_head", parent=HEAD_CELL, fontSize=7, leading=9)
H1 = ParagraphStyle("h1", parent=_styles["Heading1"], fontSize=18, leading=22)
H2 = ParagraphStyle("h2", parent=_styles["Heading2"], fontSize=14, leading=18)
H3 = ParagraphStyle("h3", parent=_styles["Heading3"], fontSize=11, leading=14)
CAPTION = ParagraphStyle("caption", parent=CELL, textColor=FOOTER_GREY)


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


class SectionHeading(Paragraph):
    """A section's heading: an entry in the PDF's outline (bookmarks) as well as on the page,
    so a reader (or a test) can list the document's sections."""


def heading(text: str, style: ParagraphStyle) -> SectionHeading:
    return SectionHeading(escape(text), style)


class SectionMark(Flowable):
    """An outline entry, drawn as nothing, for a section whose heading sits inside a table
    (platypus reports only the flowables of the page's own frame)."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class OutlinedDocTemplate(SimpleDocTemplate):
    """A document whose section headings make its outline, in reading order."""

    def afterFlowable(self, flowable: Flowable) -> None:
        if not isinstance(self.canv, NumberedCanvas):
            return
        if isinstance(flowable, SectionHeading):
            self.canv.mark_section(flowable.getPlainText())
        elif isinstance(flowable, SectionMark):
            self.canv.mark_section(flowable.title)


class WrappedOnce(Paragraph):
    """A paragraph that keeps its lines for the width it was last wrapped to: a table wraps
    each cell to measure it, again to draw it, and again on each page it is split across."""

    _wrapped_to: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # the lines depend on the width alone; split() drops them when nothing fits
        if availWidth != self._wrapped_to or not hasattr(self, "blPara"):
            super().wrap(availWidth, availHeight)
            self._wrapped_to = availWidth
        return self.width, self.height


PIECE = 1500  # characters: about fifteen lines of a table cell, a third of a page of body text


def pieces(text: str, size: int = PIECE) -> list[str]:
    """The text cut into pieces of at most `size` characters, at a line break (dropped: each
    piece starts a new line) or else after a space, in the second half of the piece; a long
    unbroken word is cut anywhere, as reportlab would break it anyway."""
    found: list[str] = []
    while len(text) > size:
        line = text.rfind("\n", size // 2, size)
        cut = line + 1 if line >= 0 else text.rfind(" ", size // 2, size) + 1 or size
        found.append(text[:line if line >= 0 else cut])
        text = text[cut:]
    return [*found, text]


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
        IN_FONT, ("FONTSIZE", (0, 0), (-1, -1), 8),
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
        # else every page names Helvetica (the document template passes None)
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

        self._sections: list[str] = []  # the section headings on the page being drawn

    def mark_section(self, title: str) -> None:
        """An outline entry for a heading on this page (made once the pages are numbered)."""
        self._sections = [*self._sections, title]

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._sections = []
        self._startPage()

    def _outline(self, page: int, sections: list[str]) -> None:
        for n, title in enumerate(sections):
            key = f"section-{page}-{n}"
            self.bookmarkPage(key)
            self.addOutlineEntry(title, key, level=0)

    def save(self) -> None:
        total = len(self._pages)
        widest = f"Page {total} of {total}"
        footer = fit(self.footer, FONT, 8, A4[0] - 2 * FOOTER_MARGIN
                     - stringWidth(widest, FONT, 8) - 6 * mm)
        header = fit(self.header, BOLD, 9, A4[0] - 2 * FOOTER_MARGIN)
        outlined = False
        for page, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            self._outline(page, state["_sections"])
            outlined = outlined or bool(state["_sections"])
            self.setFont(FONT, 8)
            self.setFillColor(FOOTER_GREY)
            self.drawString(FOOTER_MARGIN, 10 * mm, footer)
            self.drawRightString(A4[0] - FOOTER_MARGIN, 10 * mm,
                                 f"Page {self.getPageNumber()} of {total}")
            if header:
                self.setFont(BOLD, 9)
                self.setFillColor(colors.black)
                self.drawString(FOOTER_MARGIN, A4[1] - 11 * mm, header)
            super().showPage()
        if outlined:
            self.showOutline()
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
