"""What every PDF of the portal shares: a footer with "Page N of M" on each page."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

FOOTER_GREY = colors.HexColor("#505a5f")
FOOTER_MARGIN = 18 * mm


class NumberedCanvas(Canvas):
    """Defers each page so the footer can say 'Page n of N' (two passes)."""

    footer = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.setFillColor(FOOTER_GREY)
            self.drawString(FOOTER_MARGIN, 10 * mm, self.footer)
            self.drawRightString(A4[0] - FOOTER_MARGIN, 10 * mm,
                                 f"Page {self.getPageNumber()} of {total}")
            super().showPage()
        super().save()


def numbered_canvas(footer: str) -> type[NumberedCanvas]:
    """The canvas class for a document whose every page carries `footer` (reportlab makes it)."""
    return type("FootedCanvas", (NumberedCanvas,), {"footer": footer})
