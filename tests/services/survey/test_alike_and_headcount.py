"""Near-identical answers flagged for review, and how full each survey link is (issue 26)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, SurveyResponse
from portal.services import survey
from portal.services.common import Invalid, NotFound
from tests.support import survey_fixture

RUN = 5


def _post(db: Session, known: survey_fixture.Known, short: str, answers: dict[str, str], *,
          days: int = 0) -> str | None:
    statements = survey.statements_of(db, known.cycle.tool_version_id)
    response_id = survey.record_response(
        db, cycle_id=known.cycle.id, agency_id=known.agencies[short].id, statements=statements,
        answers=answers, role_band=None, service_band=None,
        today=survey_fixture.OPENED.date() + timedelta(days=days), alike_run=RUN)
    return db.get(SurveyResponse, response_id).flag  # type: ignore[union-attr]


def _all(answer: str, **changes: str) -> dict[str, str]:
    return {**{f"S{i}": answer for i in range(1, 13)}, **changes}


def test_the_fifth_near_identical_answer_to_a_link_in_a_day_is_flagged_alike(
        db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    flags = [_post(db, known, "N0", _all("disagree", S1="agree") if n % 2 else _all("disagree"))
             for n in range(6)]
    assert flags == [None, None, None, None, "alike 2026-05-01", "alike 2026-05-01"]
    [batch] = survey.flagged_batches(db, known.cycle)
    assert (batch.agency_id, batch.flag, batch.responses) == (known.agencies["N0"].id,
                                                              "alike 2026-05-01", 2)


def test_answers_differing_in_two_statements_another_day_or_another_link_are_not_alike(
        db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    for _ in range(4):
        assert _post(db, known, "N0", _all("agree")) is None
    assert _post(db, known, "N0", _all("agree", S1="disagree", S2="partly")) is None
    assert _post(db, known, "N0", _all("agree"), days=1) is None
    assert _post(db, known, "G1", _all("agree")) is None
    assert _post(db, known, "N0", _all("agree", S12="partly")) == "alike 2026-05-01"


def test_set_aside_answers_no_longer_count_towards_a_run_and_the_set_aside_is_audited(
        db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    flags = [_post(db, known, "N0", _all("agree")) for _ in range(5)]
    assert flags[-1] == "alike 2026-05-01"
    assert survey.set_aside_batch(db, known.cycle, agency_id=known.agencies["N0"].id,
                                  flag="alike 2026-05-01", reason="copied by one person",
                                  user_id=None) == 1
    assert survey.alike_today(db, cycle_id=known.cycle.id, agency_id=known.agencies["N0"].id,
                              today=survey_fixture.OPENED.date(),
                              answers={st.id: "agree" for st in survey.statements_of(
                                  db, known.cycle.tool_version_id)}) == 4
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "survey.set_aside")).one()
    assert event.detail["reason"] == "copied by one person" and event.detail["responses"] == 1


def test_without_a_run_setting_nothing_is_flagged_alike(db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={"OK": 12})
    assert survey.flagged_batches(db, known.cycle) == []


def test_links_nearly_full_lists_links_past_nine_tenths_of_their_cap(
        db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)  # G1 12, G2 10, OK 10, F4 9, N0 0 responses
    survey.declare_headcount(db, known.cycle, agency_id=known.agencies["G1"].id, headcount=12,
                             by_manager=False)
    survey.declare_headcount(db, known.cycle, agency_id=known.agencies["F4"].id, headcount=10,
                             by_manager=False)
    fills = survey.links_nearly_full(db, known.cycle, default_cap=11)
    assert [(f.agency, f.taken, f.cap, f.declared, f.full) for f in fills] == [
        ("GP practices agency G2", 10, 11, False, False),
        ("Health agency G1", 12, 12, True, True),
        ("Health agency OK", 10, 11, False, False),
        ("Voluntary and community agency F4", 9, 10, True, False),
    ]


def test_a_manager_raises_a_declared_headcount_but_never_lowers_it_and_it_is_audited(
        db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    g1 = known.agencies["G1"].id
    survey.declare_headcount(db, known.cycle, agency_id=g1, headcount=12, by_manager=False)
    survey.declare_headcount(db, known.cycle, agency_id=g1, headcount=40, by_manager=True,
                             user_id=None)
    assert survey.link_fill(db, known.cycle, g1, default_cap=250).cap == 40
    with pytest.raises(Invalid, match="can only be raised"):
        survey.declare_headcount(db, known.cycle, agency_id=g1, headcount=30, by_manager=True)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "survey.headcount")).all()
    assert [(e.detail["headcount"], e.detail["by_manager"]) for e in events] == [(12, False),
                                                                                 (40, True)]
    with pytest.raises(NotFound):
        survey.link_fill(db, known.cycle, 999_999, default_cap=250)
