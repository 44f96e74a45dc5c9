"""The manager's view of survey links: the full or nearly full ones, raising a link's limit, and
answers flagged because many repeat each other (issue 26)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Role, SurveyLink, SurveyResponse
from portal.services import survey
from tests.support import csrf_from, factories, page, page_text, sign_in, survey_fixture, url_for
from tests.support.survey_fixture import post_answers


def _full_links(client: FlaskClient, app: Flask) -> list[str]:
    soup = page(client.get(url_for(app, "survey_results.cycle", label="2026-27")))
    region = soup.find(attrs={"aria-label": "Survey links that are full or nearly full"})
    if region is None:
        return []
    return [" ".join(row.get_text(" ").split()) for row in region.select("tbody tr")]


def test_a_manager_sees_the_full_links_and_raises_one_but_never_lowers_it(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)  # G1 has 12 responses
    g1 = known.agencies["G1"].id
    survey.declare_headcount(db, known.cycle, agency_id=g1, headcount=12, by_manager=False)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)

    assert _full_links(client, app) == ["Health agency G1 12 12 Raise the limit for Health agency G1"]
    form = url_for(app, "survey_results.headcount", label="2026-27", agency_id=g1)
    shown = page_text(client.get(form))
    assert "The link has taken 12 of 12 answers" in shown and "told the survey is full" in shown
    token = csrf_from(client.get(form).get_data(as_text=True))
    lower = page(client.post(form, data={"csrf_token": token, "headcount": "10"}))
    [summary] = lower.select(".govuk-error-summary")  # one summary, not one per template
    assert "The headcount can only be raised" in summary.get_text()
    raised = client.post(form, data={"csrf_token": token, "headcount": "40"}, follow_redirects=True)
    assert "Health agency G1's survey link now takes up to 40 answers" in page_text(raised)
    db.expire_all()
    assert db.scalar(select(SurveyLink.headcount).where(SurveyLink.agency_id == g1)) == 40
    assert _full_links(client, app) == []


def test_only_a_manager_raises_limits_and_not_once_the_figures_are_released(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    g1 = known.agencies["G1"].id
    survey.declare_headcount(db, known.cycle, agency_id=g1, headcount=12, by_manager=False)
    manager = factories.user(db, Role.MANAGER)
    committee = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, committee)
    assert _full_links(client, app) == []
    form = url_for(app, "survey_results.headcount", label="2026-27", agency_id=g1)
    assert client.get(form).status_code == 403
    as_manager = app.test_client()
    sign_in(as_manager, manager)
    assert as_manager.get(url_for(app, "survey_results.headcount", label="2026-27",
                                  agency_id=999_999)).status_code == 404
    survey_fixture.close(db, known)
    assert _full_links(as_manager, app) == []


def test_five_near_identical_answers_through_the_form_are_flagged_for_the_manager(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    n0 = known.agencies["N0"].id
    token = db.scalar(select(SurveyLink.token).where(SurveyLink.agency_id == n0))
    url = url_for(app, "survey.form", token=token)
    answers = survey_fixture.answers_for("F4", 0)  # every statement "disagree"
    for n in range(5):
        varied = {**answers, "S1": "agree"} if n == 2 else answers
        assert post_answers(app.test_client(), url, varied).status_code == 302
    db.expire_all()
    flags = sorted(str(f) for f in db.scalars(select(SurveyResponse.flag)
                                              .where(SurveyResponse.agency_id == n0)))
    assert flags.count("None") == 4 and sum(f.startswith("alike ") for f in flags) == 1
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    soup = page(client.get(url_for(app, "survey_results.cycle", label="2026-27")))
    region = soup.find(attrs={"aria-label": "Answers flagged for review"})
    assert region is not None
    [row] = region.select("tbody tr")
    assert row.get_text(" ").split()[:3] == ["Health", "agency", "N0"]
    assert "alike" in row.get_text(" ")
