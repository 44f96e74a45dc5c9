"""The PDF copy of a return: real text, metadata, A4, page numbers, every question and grade."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import datetime

import pytest
from pypdf import PdfReader

from portal.reports.return_pdf import render_return_pdf
from portal.services.returns import AnswerInput, DocQuestion, DocStandard
from tests.support.return_document import document

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass


def test_pdf_holds_the_agency_every_code_with_its_grade_and_page_numbers() -> None:
    reader = PdfReader(io.BytesIO(render_return_pdf(document(), partnership="Anyshire")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert reader.metadata is not None
    assert reader.metadata.title == "Compact Audit 2026-27: Smith & Sons <Taxis>"
    assert len(reader.pages) > 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert "Smith & Sons <Taxis>" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    for s in range(1, 13):
        for code, grade in ((f"{s}.1", "Good"), (f"{s}.2", "Inadequate"),
                            (f"{s}.3", "Not applicable"), (f"{s}.4", "Not answered")):
            assert re.search(rf"{re.escape(code)}\s+{grade}\n", text), code
    assert "Do better" in text and "No vehicles" in text


def test_the_submission_time_is_given_in_uk_time() -> None:
    """23:30 UTC on 10 July is 00:30 on 11 July in London (BST): the copy says the UK day."""
    summer = dataclasses.replace(document(1), submitted_at=datetime(2026, 7, 10, 23, 30))
    reader = PdfReader(io.BytesIO(render_return_pdf(summer, partnership="Anyshire")))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "11 July 2026 at 00:30 (UK time) by Sam Patel" in text
    assert "UTC" not in text


def test_a_short_returns_pdf_numbers_each_question_as_the_agency_saw_it_beside_its_code() -> None:
    standard = DocStandard("1", "Who is in charge", "", [
        DocQuestion("1.1", "A named senior person", AnswerInput("1.1", "good"), "1"),
        DocQuestion("1.3", "Safeguarding is part of the business", AnswerInput("1.3", "good"), "2"),
    ])
    short = dataclasses.replace(document(1), overall_evidence="Our evidence", standards=[standard])
    reader = PdfReader(io.BytesIO(render_return_pdf(short, partnership="Anyshire")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "2 (1.3)" in text and "1 (1.1)" in text
    assert "2. Safeguarding" not in text  # no second, different number beside the code
