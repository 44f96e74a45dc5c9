"""A short-tool agency sees its corroboration gaps in the words and numbers it answered in,
with the stable code beside them: on its page, in its pack."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import Question, Return
from portal.reports import survey_pdf
from portal.services import survey
from tests.support import survey_fixture

SHORT_WORDS = "You have a named person who leads on safeguarding, and a deputy."


def test_a_short_tool_agencys_gaps_are_in_the_short_tools_words_and_numbers(
        db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={"G1": 12})
    g1 = known.agencies["G1"].id
    db.execute(update(Return).where(Return.agency_id == g1).values(variant="short"))
    db.execute(update(Question).where(Question.tool_version_id == known.cycle.tool_version_id,
                                      Question.code == "3.1").values(short_text=SHORT_WORDS))
    survey_fixture.close(db, known)
    results = survey.survey_results(db, known.cycle)
    result = next(a for a in results.agencies if a.agency_id == g1)
    # the short tool numbers its questions 1, 2, 3 ... in page order: 3.1 is its 5th, 9.1 its 15th
    assert [g.label for g in result.gaps][:1] == [f"5 (code 3.1) {SHORT_WORDS}"]
    assert result.gaps[1].label.startswith("15 (code 9.1) Your staff and helpers know how")
    text = survey_fixture.pdf_text(survey_pdf.render_challenge_pack(result, results))
    assert f"5 (code 3.1) {SHORT_WORDS}" in text
    full = db.scalar(select(Question.text).where(Question.code == "3.1"))
    assert full is not None and full not in text
