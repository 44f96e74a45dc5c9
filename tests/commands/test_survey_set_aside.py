"""A manager sets a flagged burst aside (flask survey flagged / set-aside) and raises a link's
headcount (flask survey headcount): set-aside responses count in no figure, pack or sample."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import SurveyLink
from portal.services import survey
from portal.services.common import Invalid
from portal.services.moderation._programme import returns_by_gaps
from tests.support import survey_fixture

FLAG = "burst 2026-05-01"


def test_a_set_aside_burst_counts_in_no_figure_and_no_sample(
        app: Flask, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={"OK": 10})
    statements = survey.statements_of(db, known.cycle.tool_version_id)
    for _ in range(12):  # a burst of "disagree" to N0's link: 12 gaps from nothing
        survey.record_response(db, cycle_id=known.cycle.id, agency_id=known.agencies["N0"].id,
                               statements=statements,
                               answers={st.code: "disagree" for st in statements},
                               role_band=None, service_band=None,
                               today=survey_fixture.OPENED.date(), flag=FLAG)
    db.commit()
    n0 = known.agencies["N0"].id
    ranked = returns_by_gaps(db, known.cycle, None)
    assert len(ranked) == 1  # N0's return is first for a targeted visit
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["survey", "flagged", "--cycle", "2026-27"])
    assert list(csv.reader(io.StringIO(listed.output)))[1] == ["Health agency N0", FLAG, "12", ""]
    refused = runner.invoke(args=["survey", "set-aside", "--cycle", "2026-27", "--agency",
                                  "Health agency N0", "--flag", FLAG, "--reason", "  "])
    assert refused.exit_code != 0 and "Enter why you are setting these answers aside" in refused.output
    done = runner.invoke(args=["survey", "set-aside", "--cycle", "2026-27", "--agency",
                               "Health agency N0", "--flag", FLAG,
                               "--reason", "12 identical answers in 2 minutes"])
    assert done.exit_code == 0, done.output
    db.expire_all()
    assert returns_by_gaps(db, known.cycle, None) == []
    survey_fixture.close(db, known)
    result = next(a for a in survey.survey_results(db, known.cycle).agencies if a.agency_id == n0)
    assert (result.responses, result.shown, result.gaps) == (0, False, [])
    listed = runner.invoke(args=["survey", "flagged", "--cycle", "2026-27"])
    assert list(csv.reader(io.StringIO(listed.output)))[1][3] == "12 identical answers in 2 minutes"


def test_a_manager_raises_a_links_headcount_and_an_agency_declares_it_once(
        app: Flask, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    ok = known.agencies["OK"].id
    survey.declare_headcount(db, known.cycle, agency_id=ok, headcount=12, by_manager=False)
    db.commit()
    try:
        survey.declare_headcount(db, known.cycle, agency_id=ok, headcount=40, by_manager=False)
        raise AssertionError("an agency changed its declared headcount")
    except Invalid as exc:
        assert "ask the partnership" in str(exc.problems[0].message)
    db.rollback()
    raised = app.test_cli_runner().invoke(args=["survey", "headcount", "--cycle", "2026-27",
                                                "--agency", "Health agency OK", "--headcount", "40"])
    assert raised.exit_code == 0, raised.output
    db.expire_all()
    assert db.scalar(select(SurveyLink.headcount).where(SurveyLink.agency_id == ok)) == 40
