"""The public survey page: anonymous, a shared device works, bots ignored, closed with the cycle."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from portal import create_app
from portal.models import SurveyLink
from portal.services import survey
from portal.web import limiter
from tests.support import page_text, survey_fixture, url_for
from tests.support.processes import ROOT


def _link(db: Session, known: survey_fixture.Known, short: str) -> str:
    survey.ensure_links(db, known.cycle, now=survey_fixture.OPENED)
    db.commit()
    token = db.scalar(select(SurveyLink.token).where(
        SurveyLink.agency_id == known.agencies[short].id))
    assert token is not None
    return f"/survey/{token}"


def _answers(**bands: str) -> dict[str, str]:
    return {**survey_fixture.answers_for("OK", 0), **bands}


def _counts(db: Session) -> list[int]:
    db.commit()
    return [db.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            for table in ("user_sessions", "audit_events", "throttles")]


def _responses(db: Session) -> list[dict[str, object]]:
    db.commit()
    return [dict(r) for r in db.execute(text("SELECT * FROM survey_responses ORDER BY id")).mappings()]


def test_a_response_row_holds_only_the_cycle_agency_bands_and_answers(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    url = _link(db, known, "N0")
    before = _counts(db)
    page = client.get(url)
    assert page.status_code == 200
    body = page_text(page)
    assert "Your privacy" in body and "I know how to refer a concern" in body
    sent = survey_fixture.post_answers(
        client, url, _answers(role_band="volunteer"),
        headers={"User-Agent": "Practitioner phone", "X-Forwarded-For": "203.0.113.9"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(url_for(app, "survey.thanks"))
    assert "session=" not in sent.headers.get("Set-Cookie", "")  # no session, so nothing to link

    columns = {c["name"] for c in inspect(db.get_bind()).get_columns("survey_responses")}
    assert columns == {"id", "partnership_id", "cycle_id", "agency_id", "role_band",
                       "service_band", "answered_on", "flag", "set_aside"}
    answer_columns = {c["name"] for c in inspect(db.get_bind()).get_columns("survey_answers")}
    assert answer_columns == {"partnership_id", "response_id", "statement_id", "answer"}
    [row] = _responses(db)
    assert row == {"id": row["id"], "partnership_id": known.cycle.partnership_id,
                   "cycle_id": known.cycle.id, "agency_id": known.agencies["N0"].id,
                   "role_band": "volunteer", "service_band": None, "answered_on": row["answered_on"],
                   "flag": None, "set_aside": None}
    assert len(str(row["answered_on"])) == 10  # the day, no finer
    stored = db.execute(text("SELECT answer FROM survey_answers WHERE response_id = :r"),
                        {"r": row["id"]}).scalars().all()
    assert sorted(stored) == ["agree"] * 12
    assert _counts(db) == before  # no session, audit event or throttle row either


def test_two_people_on_one_device_are_both_counted_and_a_filled_honeypot_stores_nothing(
        client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    url = _link(db, known, "N0")
    assert survey_fixture.post_answers(client, url, _answers()).status_code == 302
    assert "already answered this survey on this device" in page_text(client.get(url))
    assert survey_fixture.post_answers(client, url, _answers()).status_code == 302
    assert len(_responses(db)) == 2  # the second person on the device is stored too
    bot = create_app_client(client)
    assert survey_fixture.post_answers(
        bot, url, {**_answers(), "website": "http://spam.example"}).status_code == 302
    assert len(_responses(db)) == 2


def create_app_client(client: FlaskClient) -> FlaskClient:
    return client.application.test_client()  # a new browser: no cookies


def test_a_missing_answer_is_shown_with_an_error_and_nothing_is_stored(
        client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    url = _link(db, known, "N0")
    data = _answers()
    del data["S3"]
    page = survey_fixture.post_answers(client, url, data)
    assert page.status_code == 400
    body = page_text(page)
    assert "There is a problem" in body and "Select an answer for statement 3" in body
    assert _responses(db) == []


def test_survey_links_close_when_the_cycle_closes_and_unknown_links_are_not_found(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    url = _link(db, known, "N0")
    assert client.get(url_for(app, "survey.form", token="not-a-real-token")).status_code == 404
    known.cycle.status = "closed"
    db.commit()
    assert client.get(url).status_code == 410
    assert client.post(url, data=_answers()).status_code == 410
    assert _responses(db) == []


def test_the_survey_form_is_rate_limited_per_address(
        database_url: str, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    url = _link(db, known, "N0")
    limited = create_app("testing", DATABASE_URL=database_url, RATELIMIT_ENABLED=True,
                         SURVEY_RATE_LIMIT="2 per day",  # one window, whatever the load
                         SECRET_KEY="test-secret-key-that-is-long-enough-to-use")
    try:
        codes = [survey_fixture.post_answers(limited.test_client(), url, _answers()).status_code
                 for _ in range(3)]
    finally:
        # The limiter is the module's one instance: turn it off again for the other tests' app.
        limiter.reset()
        limiter.enabled = False
    assert codes == [302, 302, 429]
    assert len(_responses(db)) == 2


def test_the_pages_privacy_promise_is_docs_survey_md_word_for_word(
        client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    page = BeautifulSoup(client.get(_link(db, known, "OK")).get_data(as_text=True), "lxml")
    promise = page.find(id="promise")
    assert promise is not None
    paragraphs = [" ".join(p.get_text().split()) for p in promise.find_all("p")]
    docs = " ".join((ROOT / "docs" / "survey.md").read_text().replace("\n>", " ").split())
    assert len(paragraphs) == 2 and "at least 10 people answered" in paragraphs[1]
    for paragraph in paragraphs:
        assert paragraph in docs
