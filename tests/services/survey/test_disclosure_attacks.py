"""The unmasking attacks of issue 26, replayed: an agency that knows all but one answer, that
compares the figures before and after one more answer, or that subtracts the published agencies
from the sector and partnership totals learns nothing about the answers it does not know."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.models import SurveyAnswerRow, SurveyLink, SurveyResponse
from portal.reports import survey_pdf
from portal.services import survey
from tests.support import survey_fixture

ANSWERS = ("agree", "partly", "disagree", "dont_know")
KNOWN_PATTERNS = {  # the attacker's 4 known responses: every answer to every statement
    "all agree": ("agree",) * 4,
    "two and two": ("agree", "agree", "disagree", "disagree"),
    "one of each": ANSWERS,
}


def _answer(db: Session, known: survey_fixture.Known, short: str, answer: str,
            role: str | None = None, service: str | None = None) -> None:
    statements = survey.statements_of(db, known.cycle.tool_version_id)
    survey.record_response(db, cycle_id=known.cycle.id, agency_id=known.agencies[short].id,
                           statements=statements, answers={st.code: answer for st in statements},
                           role_band=role, service_band=service,
                           today=survey_fixture.OPENED.date())


def _clear(db: Session, known: survey_fixture.Known, short: str) -> None:
    agency_id = known.agencies[short].id
    ids = db.scalars(select(SurveyResponse.id).where(SurveyResponse.agency_id == agency_id)).all()
    db.execute(delete(SurveyAnswerRow).where(SurveyAnswerRow.response_id.in_(ids)))
    db.execute(delete(SurveyResponse).where(SurveyResponse.agency_id == agency_id))
    db.execute(update(SurveyLink).where(SurveyLink.agency_id == agency_id).values(taken=0))


def _everything(db: Session, known: survey_fixture.Known) -> str:
    """Every figure any view or export shows: the results (pages, JSON, CSV and packs are all
    drawn from them) and, to be sure, the text of the packs themselves."""
    results = survey.survey_results(db, known.cycle)
    packs = [survey_pdf.render_partnership_pack(results),
             *(survey_pdf.render_challenge_pack(a, results) for a in results.agencies)]
    texts = [survey_fixture.pdf_text(p) for p in packs]
    return repr(results) + repr(results.as_dict()) + "".join(texts)


@pytest.mark.parametrize("pattern", KNOWN_PATTERNS)
def test_four_known_answers_beside_one_real_one_reveal_nothing_about_it(
        db: Session, tmp_path: Path, pattern: str) -> None:
    known = survey_fixture.build(db, tmp_path, responses={"G1": 12, "OK": 10})
    survey_fixture.close(db, known)
    seen = set()
    for real in ANSWERS:
        _clear(db, known, "N0")
        for answer in KNOWN_PATTERNS[pattern]:
            _answer(db, known, "N0", answer, role="frontline", service="over_5")
        _answer(db, known, "N0", real, role="manager", service="under_1")
        seen.add(_everything(db, known))
    assert len(seen) == 1  # whatever the real one answered, every view is the same


def test_figures_before_and_after_one_more_answer_are_the_same_while_the_survey_is_open(
        db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={"G1": 12, "OK": 10, "N0": 12})
    before = survey.survey_results(db, known.cycle)
    _answer(db, known, "N0", "disagree", role="manager", service="under_1")
    after = survey.survey_results(db, known.cycle)
    assert not before.released and not after.released
    for results in (before, after):
        assert not any(a.shown or a.gaps or a.role_bands for a in results.agencies)
        assert all(s.total == 0 for s in results.partnership.statements)
    figures = [[(a.agency, a.as_dict()["statements"], a.as_dict()["gaps"]) for a in r.agencies]
               for r in (before, after)]
    assert figures[0] == figures[1]
    # at the close the figures are released once; the link then takes no more answers
    survey_fixture.close(db, known)
    token = db.scalar(select(SurveyLink.token).where(SurveyLink.agency_id == known.agencies["N0"].id))
    with pytest.raises(survey.SurveyClosed):
        survey.open_survey(db, token or "")


@pytest.mark.parametrize("hidden_answer", ["agree", "disagree"])
def test_totals_minus_the_published_agencies_reveal_no_agency_under_the_threshold(
        db: Session, tmp_path: Path, hidden_answer: str) -> None:
    known = survey_fixture.build(db, tmp_path, responses={"G1": 12, "G2": 10, "OK": 10})
    for _ in range(9):  # N0 (Health, like G1 and OK): 9 responses, one under the threshold
        _answer(db, known, "N0", hidden_answer)
    survey_fixture.close(db, known)
    results = survey.survey_results(db, known.cycle)
    health = next(s for s in results.sectors if s.name == "Health")
    shown = [a for a in results.agencies if a.shown and a.sector == "Health"]
    for total, *parts in zip(health.statements, *(a.statements for a in shown), strict=True):
        for key in ANSWERS:  # the sector is its shown agencies, to within the rounding
            assert abs(total.counts[key] - sum(p.counts[key] for p in parts)) <= 2 * len(parts)
    other = "disagree" if hidden_answer == "agree" else "agree"
    _clear(db, known, "N0")
    for _ in range(9):
        _answer(db, known, "N0", other)
    again = survey.survey_results(db, known.cycle)
    assert repr(again.sectors) == repr(results.sectors)
    assert repr(again.partnership) == repr(results.partnership)
