"""Nothing traces a person (issue 26): after a survey post, no table and no log line the portal
writes holds the address or the browser string that were sent, and response ids are random."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from portal.models import SurveyLink, SurveyResponse
from tests.support import factories, page_text, sign_in, survey_fixture, url_for

ADDRESS = "203.0.113.77"
BROWSER = "Mozilla/5.0 (Linux; Android 14; Tablet-in-the-staff-room) Survey/26"


def _every_value(db: Session) -> list[str]:
    db.commit()
    values = []
    for table in inspect(db.get_bind()).get_table_names():
        for row in db.execute(text(f'SELECT * FROM "{table}"')):
            values += [str(v) for v in row]
    return values


def test_no_table_and_no_log_holds_the_address_or_browser_of_a_survey_post(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    token = db.scalar(select(SurveyLink.token).where(SurveyLink.agency_id == known.agencies["OK"].id))
    url = f"/survey/{token}"
    caplog.set_level(logging.DEBUG)
    headers = {"User-Agent": BROWSER, "X-Forwarded-For": ADDRESS}
    for _ in range(3):
        sent = survey_fixture.post_answers(
            client, url, survey_fixture.answers_for("OK", 0), headers=headers,
            environ_overrides={"REMOTE_ADDR": ADDRESS})
        assert sent.status_code == 302
    values = _every_value(db)
    assert not [v for v in values if ADDRESS in v or "Tablet-in-the-staff-room" in v]
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert ADDRESS not in logged and "Tablet-in-the-staff-room" not in logged
    ids = sorted(db.scalars(select(SurveyResponse.id)))
    assert len(ids) == 3 and ids[0] > 2**31  # random 62-bit ids, not 1, 2, 3
    days = {str(v) for v in db.scalars(select(SurveyResponse.answered_on))}
    assert all(len(day) == 10 for day in days)  # the day, nothing finer


def _session_cookies(response: object) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie")  # type: ignore[attr-defined]
            if c.startswith("session=")]


def test_the_survey_neither_reads_nor_sets_the_session_cookie(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    token = db.scalar(select(SurveyLink.token).where(SurveyLink.agency_id == known.agencies["OK"].id))
    url = f"/survey/{token}"
    stranger = app.test_client()
    page = stranger.get(url)
    sent = survey_fixture.post_answers(stranger, url, survey_fixture.answers_for("OK", 0))
    assert page.status_code == 200 and sent.status_code == 302
    assert not _session_cookies(page) and not _session_cookies(sent)
    # staff who answer from the browser they work in are not known to the survey's pages
    staff = factories.user(db, "agency", agency=known.agencies["OK"])
    db.commit()
    sign_in(client, staff)
    assert "Sign out" in page_text(client.get(url_for(app, "auth.index"), follow_redirects=True))
    assert "Sign out" not in page_text(client.get(url))
    assert survey_fixture.post_answers(client, url, survey_fixture.answers_for("OK", 1)).status_code == 302
