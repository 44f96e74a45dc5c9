"""Every PDF embeds one Unicode font, so Welsh and Polish names keep every letter."""

from __future__ import annotations

import dataclasses

import pytest

from portal.reports import survey_pdf
from portal.reports.return_pdf import render_return_pdf
from portal.services.returns import AnswerInput, DocQuestion
from tests.support.maximal_content import pdf_text
from tests.support.pdfs import embedded_fonts_only, fonts, poppler_text
from tests.support.return_document import document

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

POLISH = "Polska Szkoła Sobotnia"
WELSH = "Ŵyn"


def _welsh_and_polish() -> bytes:
    doc = document(2)
    first = doc.standards[0]
    welsh = DocQuestion("1.5", "Fifth", AnswerInput("1.5", "inadequate", comment=f"Gofal {WELSH}"))
    standards = [dataclasses.replace(first, questions=[*first.questions, welsh],
                                     title="Diogelu ŷ ŵ"), *doc.standards[1:]]
    return render_return_pdf(dataclasses.replace(doc, agency=POLISH, standards=standards),
                             partnership="Cyngor Gwynedd")


def test_a_return_copy_keeps_polish_and_welsh_letters_read_back_by_pypdf_and_pdftotext() -> None:
    content = _welsh_and_polish()
    for text in (pdf_text(content), "".join(poppler_text(content).split())):
        assert "".join(POLISH.split()) in text and WELSH in text and "Diogeluŷŵ" in text


def test_the_return_copy_and_poster_name_only_the_embedded_unicode_font() -> None:
    poster = survey_pdf.render_poster(agency=POLISH, cycle="2026-27", url="http://portal.test/s/x",
                                      partnership=WELSH)
    for content in (_welsh_and_polish(), poster):
        assert embedded_fonts_only(content), fonts(content)
    assert WELSH in pdf_text(poster) and "".join(POLISH.split()) in pdf_text(poster)
