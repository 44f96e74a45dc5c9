"""Stuffing the survey, replayed (issue 26): a flood from one address, a flood on one link from
several, a cross-site post without the form's token, a replayed token, and a burst flagged."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from portal import create_app
from portal.web import limiter
from tests.support import survey_fixture
from tests.support.survey_fixture import form_token, post_answers, post_as_a_script


@pytest.fixture
def limited(database_url: str) -> Iterator[Flask]:
    """The app with its rate limits on, as in production."""
    # production's counts over windows of a day, not minutes: however slowly a loaded machine
    # sends the posts, they all fall in one window, so the counts never depend on the clock
    app = create_app("testing", DATABASE_URL=database_url, RATELIMIT_ENABLED=True,
                     SURVEY_RATE_LIMIT="20 per day", SURVEY_LINK_RATE_LIMIT="30 per day",
                     SURVEY_BURST="10 per day",
                     SECRET_KEY="test-secret-key-that-is-long-enough-to-use")
    try:
        yield app
    finally:
        # The limiter is the module's one instance: turn it off again for the other tests' app.
        limiter.reset()
        limiter.enabled = False


def _link(db: Session, known: survey_fixture.Known, short: str) -> str:
    from sqlalchemy import select

    from portal.models import SurveyLink

    token = db.scalar(select(SurveyLink.token).where(SurveyLink.agency_id == known.agencies[short].id))
    return f"/survey/{token}"


def _stored(db: Session) -> list[dict[str, object]]:
    db.commit()
    return [dict(r) for r in db.execute(text("SELECT * FROM survey_responses")).mappings()]


def _answers() -> dict[str, str]:
    return survey_fixture.answers_for("G1", 0)  # the "disagree" answers that made false gaps


def test_300_posts_from_one_address_store_at_most_its_rate_limit(
        limited: Flask, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    url = _link(db, known, "N0")
    client = limited.test_client()
    # the first from the page it served, the other 299 as a script holding fresh tokens
    codes = [post_answers(client, url, _answers()).status_code] + [
        post_as_a_script(client, url, _answers()).status_code for _ in range(299)]
    allowed = int(limited.config["SURVEY_RATE_LIMIT"].split()[0])
    assert codes.count(302) == allowed and codes.count(429) == 300 - allowed
    assert len(_stored(db)) == allowed == 20


def test_posts_from_three_addresses_store_at_most_the_links_limit_and_are_flagged(
        limited: Flask, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    url = _link(db, known, "N0")
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        client = limited.test_client()
        post_answers(client, url, _answers(), environ_overrides={"REMOTE_ADDR": address})
        for _ in range(59):
            post_as_a_script(client, url, _answers(), environ_overrides={"REMOTE_ADDR": address})
    stored = _stored(db)
    assert len(stored) == int(limited.config["SURVEY_LINK_RATE_LIMIT"].split()[0]) == 30
    burst = int(limited.config["SURVEY_BURST"].split()[0])
    kinds = Counter(str(r["flag"]).split()[0] for r in stored if r["flag"])
    assert kinds["burst"] == len(stored) - burst  # all but the first 10 in 5 minutes
    # and of those first 10, identical every one, all but the first 4 repeat each other
    assert kinds["alike"] == burst - (limited.config["SURVEY_ALIKE_RUN"] - 1) == 6
    assert set(kinds) == {"burst", "alike"}


def test_a_cross_site_post_without_the_forms_token_is_refused(
        limited: Flask, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    url, other = _link(db, known, "N0"), _link(db, known, "OK")
    client = limited.test_client()
    headers = {"Origin": "https://elsewhere.example", "Referer": "https://elsewhere.example/"}
    assert client.post(url, data=_answers(), headers=headers).status_code == 400
    assert client.post(url, data={**_answers(), "form_token": "forged"}).status_code == 400
    wrong_link = form_token(client, other)
    assert client.post(url, data={**_answers(), "form_token": wrong_link}).status_code == 400
    token = form_token(client, url)
    assert client.post(url, data={**_answers(), "form_token": token}).status_code == 302
    replayed = client.post(url, data={**_answers(), "form_token": token})
    assert replayed.status_code == 400 and b"Your answers were not sent" in replayed.data
    assert len(_stored(db)) == 1
