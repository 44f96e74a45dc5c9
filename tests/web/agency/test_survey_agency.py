"""The agency's survey page: its link and poster, its results and gaps only after it submits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.delivery import deliver_from_app
from portal.models import ReturnStatus, SurveyLink
from portal.services.accounts import LinkSettings
from portal.services.cycles import create_cycle, open_cycle
from tests.support import csrf_from, factories, page_text, sign_in, survey_fixture, url_for


def test_agency_sees_its_link_and_poster_and_its_gaps_after_it_submits(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    g1 = known.agencies["G1"]
    user = factories.user(db, "agency", agency=g1)
    own = next(r for r in known.cycle.returns if r.agency_id == g1.id)
    own.status = ReturnStatus.IN_PROGRESS.value
    db.commit()
    sign_in(client, user)
    home = page_text(client.get(url_for(app, "agency.home")))
    assert "Practitioner survey for the 2026-27 audit" in home
    url = url_for(app, "agency_survey.page", cycle_id=known.cycle.id)
    before = client.get(url).get_data(as_text=True)
    assert "http://portal.test/survey/" in before and "after you submit your return" in before
    assert "Corroboration gaps" not in before
    assert client.get(f"{url}/challenge-day.pdf").status_code == 404
    poster = client.get(f"{url}/poster.pdf")
    assert poster.status_code == 200 and poster.mimetype == "application/pdf"

    own.status = ReturnStatus.SUBMITTED.value
    db.commit()
    submitted = page_text(client.get(url))
    assert "About 10 people have answered so far" in submitted  # 12, rounded to base 5
    assert "Corroboration gaps" not in submitted  # released only when the survey closes
    survey_fixture.close(db, known)
    after = page_text(client.get(url))
    assert "About 10 people answered" in after and "Corroboration gaps: 2 (gaps first)" in after
    pack = client.get(f"{url}/challenge-day.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(__import__("io").BytesIO(pack.data)).pages)
    assert "Corroboration gaps: 2" in text
    other = known.agencies["G2"]
    assert client.get(url_for(app, "agency_survey.page", cycle_id=known.cycle.id + 999)).status_code == 404
    assert other.id != g1.id


def test_an_agency_below_ten_responses_is_told_its_results_are_hidden(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    survey_fixture.close(db, known)
    user = factories.user(db, "agency", agency=known.agencies["F4"])
    db.commit()
    sign_in(client, user)
    page = page_text(client.get(url_for(app, "agency_survey.page", cycle_id=known.cycle.id)))
    assert "Fewer than 10 people answered, so no results can be released" in page
    assert "What your staff said" not in page


def test_the_invitation_carries_the_agencys_survey_link(
        app: Flask, db: Session, tmp_path: Path, mailbox: Any) -> None:
    tool = survey_fixture.survey_tool(db, tmp_path)
    agency = factories.agency(db, "Riverside Surgery", sector_name="GP practices",
                              email="lead@riverside.example.org")
    cycle = create_cycle(db, label="2026-27", cohort="A", deadline=survey_fixture.DEADLINE,
                         now=survey_fixture.OPENED, tool_version=tool)
    links = LinkSettings(secret_key="x" * 40, base_url="http://portal.test", hours=72,
                         partnership="Anyshire", help_email="help@example.org")
    open_cycle(db, cycle, now=survey_fixture.OPENED, links=links)
    db.commit()
    token = db.scalar(select(SurveyLink.token).where(SurveyLink.agency_id == agency.id))
    deliver_from_app(app, now=survey_fixture.OPENED)
    [invitation] = [m for m in mailbox.to("lead@riverside.example.org")
                    if "self-assessment is due" in m["Subject"]]
    body = invitation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"http://portal.test/survey/{token}" in body


def test_the_poster_gives_a_date_to_answer_by_and_a_short_address_that_leads_to_the_survey(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    ok = known.agencies["OK"]
    user = factories.user(db, "agency", agency=ok)
    db.commit()
    sign_in(client, user)
    poster = client.get(url_for(app, "agency_survey.poster", cycle_id=known.cycle.id))
    text = survey_fixture.pdf_text(poster.data)
    assert "Please answer by 31 July 2026." in text
    found = re.search(r"portal\.test/survey/s/([A-Z2-9]{4}-[A-Z2-9]{4})", text)
    assert found is not None, text
    token = db.scalar(select(SurveyLink.token).where(SurveyLink.agency_id == ok.id))
    typed = client.get(f"/survey/s/{found.group(1).lower().replace('-', '')}")
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/survey/{token}")
    again = survey_fixture.pdf_text(client.get(url_for(app, "agency_survey.poster",
                                                       cycle_id=known.cycle.id)).data)
    assert found.group(0) in again  # the same code on every copy
    assert client.get(url_for(app, "survey.short", code="ABCD-EFGH")).status_code == 404


def test_the_agency_states_its_headcount_to_get_its_poster_and_cannot_change_it(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    ok = known.agencies["OK"]
    user = factories.user(db, "agency", agency=ok)
    db.commit()
    sign_in(client, user)
    url = url_for(app, "agency_survey.page", cycle_id=known.cycle.id)
    page = client.get(url).get_data(as_text=True)
    assert "How many people work or volunteer at your agency?" in page
    assert "Download a poster" not in page
    post = url_for(app, "agency_survey.headcount", cycle_id=known.cycle.id)
    token = csrf_from(client.get(url).get_data(as_text=True))
    refused = client.post(post, data={"csrf_token": token, "headcount": "lots"})
    assert "Enter the number of staff and volunteers as a whole number" in page_text(refused)
    saved = client.post(post, data={"csrf_token": token, "headcount": "40"})
    assert saved.status_code == 302
    after = page_text(client.get(url))
    assert "Your link takes up to 40 answers" in after and "Download a poster" in after
    again = client.post(post, data={"csrf_token": token, "headcount": "400"})
    assert "ask the partnership to raise it" in page_text(again)
    db.expire_all()
    assert db.scalar(select(SurveyLink.headcount).where(SurveyLink.agency_id == ok.id)) == 40
