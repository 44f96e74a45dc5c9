"""The MESC grid's shading: darker is weaker, every band legible, the page and the PDF agree."""

from __future__ import annotations

import re

import pytest

from portal.reports.shading import BANDS, BLACK, TOO_FEW_FILL, band, contrast
from tests.support.processes import ROOT

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

CSS = ROOT / "portal" / "static" / "portal.css"


def test_bands_run_from_light_to_dark_as_weakness_rises() -> None:
    assert [band(w) for w in (0.0, 0.049, 0.05, 0.1, 0.1999, 0.2, 0.3, 1.0)] == [
        0, 0, 1, 2, 2, 3, 4, 4]
    lightness = [sum(int(b.fill[i:i + 2], 16) for i in (1, 3, 5)) for b in BANDS]
    assert lightness == sorted(lightness, reverse=True)


def test_every_band_and_the_too_few_cell_pass_wcag_aa_contrast() -> None:
    assert all(contrast(b.text, b.fill) >= 4.5 for b in BANDS)
    assert contrast(BLACK, TOO_FEW_FILL) >= 4.5


def test_the_html_grid_uses_the_pdf_colours() -> None:
    css = CSS.read_text()
    for n, b in enumerate(BANDS):
        assert re.search(rf"\.app-shade-{n} {{ background: {b.fill}; color: {b.text}; }}", css)
    assert f".app-shade-too-few {{ background: {TOO_FEW_FILL};" in css
