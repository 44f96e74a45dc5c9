"""How the sector x standard grid is shaded: darker means weaker, in the PDF and on the page.

Fixed bands (not scaled to the data), so one year's grid reads like the next. Every band's text
colour passes WCAG AA contrast (4.5:1) on its fill, and every cell also prints its figure, so the
grid never relies on colour alone. The HTML classes `app-shade-N` in portal/static/portal.css use
the same colours (a test compares them).
"""

from __future__ import annotations

from dataclasses import dataclass

BLACK = "#0b0c0c"
WHITE = "#ffffff"
TOO_FEW_FILL = "#f3f2f1"  # light grey: "too few to compare", never a band colour


@dataclass(frozen=True)
class Band:
    lower: float  # weakness from this share (inclusive) up to the next band's lower
    fill: str
    text: str
    label: str


BANDS = (
    Band(0.0, "#f4f8fb", BLACK, "under 5%"),
    Band(0.05, "#c9dcee", BLACK, "5% to under 10%"),
    Band(0.10, "#8eb8df", BLACK, "10% to under 20%"),
    Band(0.20, "#2e6fa8", WHITE, "20% to under 30%"),
    Band(0.30, "#0f385c", WHITE, "30% or more"),
)


def band(weakness: float) -> int:
    """The band (0 lightest to 4 darkest) of a weakness share."""
    index = 0
    for n, candidate in enumerate(BANDS):
        if round(weakness, 6) >= candidate.lower:
            index = n
    return index


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
