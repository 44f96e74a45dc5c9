"""Long texts go into a PDF as paragraphs of bounded size (reportlab wraps a paragraph again on
every page it spans), and nothing of them is lost."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.reports.pdf_common import PIECE, pieces
from portal.reports.return_pdf import render_return_pdf
from portal.services.returns import TEXT_LIMIT, ActionInput, AnswerInput, DocQuestion
from tests.support.maximal_content import pdf_text
from tests.support.return_document import document

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass


@settings(max_examples=200, deadline=None, database=None)
@given(text=st.text(st.sampled_from("ab \n"), max_size=400), size=st.integers(4, 60))
def test_pieces_are_bounded_and_keep_every_character_but_the_line_breaks_cut_at(
        text: str, size: int) -> None:
    found = pieces(text, size)
    assert all(len(piece) <= size for piece in found)
    assert "".join(found).replace("\n", "") == text.replace("\n", "")
    assert len(found) == 1 or all(len(piece) >= size // 2 - 1 for piece in found[:-1])


def test_a_return_with_comments_and_actions_at_their_limits_keeps_every_word_in_order() -> None:
    words = [f"w{n:04d}" for n in range(TEXT_LIMIT // 6)]
    comment, action = " ".join(words[:800]), "\n".join(words[:800])
    assert len(comment) > 3 * PIECE
    doc = document(1)
    question = DocQuestion("1.9", "Long", AnswerInput(
        "1.9", "inadequate", comment=comment, action=ActionInput(action, "Ŵyn Jones", None)))
    standard = dataclasses.replace(doc.standards[0], evidence=comment * 3,
                                   questions=[*doc.standards[0].questions, question])
    text = pdf_text(render_return_pdf(dataclasses.replace(doc, standards=[standard]),
                                      partnership="Anyshire"))
    # each page's footer, and the table's head repeated on the next page
    text = re.sub(r"Smith&Sons<Taxis>-CompactAudit2026-27Page\d+of\d+|"
                  r"QuestionGradeQuestionandyourcomments", "", text)
    flat = "".join(words[:800])
    assert f"Comment:{flat}Action:{flat}By:ŴynJones,nodate" in text
    assert "Evidence:" + flat * 3 in text
