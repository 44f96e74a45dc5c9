"""A link takes at most the agency's declared headcount, however many post at once."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import SurveyLink, SurveyResponse
from portal.services import survey
from tests.support import survey_fixture

POSTERS = 10
HEADCOUNT = 4


def test_the_headcount_cap_holds_under_ten_concurrent_posters(
        app: Flask, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    agency_id = known.agencies["OK"].id
    db.execute(update(SurveyLink).where(SurveyLink.agency_id == agency_id)
               .values(headcount=HEADCOUNT))
    db.commit()
    statements = survey.statements_of(db, known.cycle.tool_version_id)
    ready = threading.Barrier(POSTERS)
    outcomes: list[str] = []

    def post() -> None:
        with get_db(app).sessionmaker() as session:
            ready.wait()
            try:
                survey.record_response(
                    session, cycle_id=known.cycle.id, agency_id=agency_id, statements=statements,
                    answers=survey_fixture.answers_for("OK", 0), role_band=None,
                    service_band=None, today=survey_fixture.OPENED.date())
                session.commit()
                outcomes.append("stored")
            except survey.SurveyFull:
                session.rollback()
                outcomes.append("full")

    threads = [threading.Thread(target=post) for _ in range(POSTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["full"] * (POSTERS - HEADCOUNT) + ["stored"] * HEADCOUNT
    db.commit()
    stored = db.scalar(select(func.count()).select_from(SurveyResponse)
                       .where(SurveyResponse.agency_id == agency_id))
    assert stored == HEADCOUNT
    assert db.scalar(select(SurveyLink.taken).where(SurveyLink.agency_id == agency_id)) == HEADCOUNT
