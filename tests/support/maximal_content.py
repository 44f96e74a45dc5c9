"""Hostile, maximal text for the artefact tests: exactly as long as a rule allows, opening and
closing with an ASCII marker (so reading a file back shows nothing was cut), and between them
long unbroken words, many lines, Welsh and Polish letters, emoji, right-to-left scripts, markup
characters and formula-looking text."""

from __future__ import annotations

import io
import itertools
import os
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from tests.support.pdfs import embedded_fonts_only, fonts

EXAMPLES = int(os.environ.get("ARTEFACT_EXAMPLES", "2"))
MAXIMAL = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   derandomize=os.environ.get("CI") == "true",
                   suppress_health_check=list(HealthCheck),
                   phases=[Phase.explicit, Phase.generate])  # no shrinking: each run is slow
PIECES = [
    "Ŵŷ âêîôû ŵŶ Llanfairpwllgwyngyll", "łódź ŻÓŁW źdźbło ćma ńąę", "😀👍🏽🇬🇧",
    "مرحبا بالعالم", "שלום עולם", "<b>&amp;</b> <br/> </para>", '100% "quoted" \'single\'',
    "=1+1", "+SUM(A1:A9)", "@cmd", "-2+3", "\n", "\n\n\n", "x" * 400, "Ω≈ç√∫ 中文字符 ﷺ",
    "{{7*7}} ${x} %s %(y)s", "\\ / | ; , . :",
]
# control, format, surrogate, private and unassigned characters, line and paragraph separators
REFUSED = ["Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"]
_tokens = itertools.count(1)


@dataclass(frozen=True)
class Maximal:
    """Draws texts of an exact length, each with its own start and end markers."""

    middle: str

    def text(self, length: int) -> str:
        n = next(_tokens)
        start, end = f"Begin{n:05d}q ", f" q{n:05d}Finish"
        room = length - len(start) - len(end)
        filler = (self.middle * (room // max(len(self.middle), 1) + 1))[:room]
        return start + filler.replace("\n ", "\nx") + end

    def name(self, length: int = 200) -> str:
        """A name: one line."""
        return self.text(length).replace("\n", " ")


def marks(text: str) -> tuple[str, str]:
    """The markers a text opens and closes with."""
    return text.split()[0], text.split()[-1]


def maximal() -> st.SearchStrategy[Maximal]:
    piece = st.one_of(st.sampled_from(PIECES),
                      st.text(st.characters(codec="utf-8", exclude_categories=REFUSED),
                              min_size=1, max_size=20))
    return st.lists(piece, min_size=1, max_size=12).map(lambda p: Maximal(" ".join(p)))


def pdf_text(content: bytes) -> str:
    """All the PDF's text, with no whitespace (lines may break anywhere in a long word); a PDF
    naming one of reportlab's standard fonts (which drop Welsh and Polish letters) fails."""
    assert embedded_fonts_only(content), fonts(content)
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def holds(flat: str, *texts: str) -> bool:
    return all(mark in flat for text in texts for mark in marks(text))
