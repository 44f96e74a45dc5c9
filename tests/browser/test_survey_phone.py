"""A practitioner answers the survey on a phone-sized (320 CSS px) screen, then a second person
answers on the same phone and both are counted; axe-core finds nothing; then, once the survey
closes, the agency's survey page and results and the partnership's survey pages, at 320 and
1280 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.models import SurveyLink
from portal.services import survey
from tests.support import factories, survey_fixture
from tests.support.browser import assert_accessible, clear_session, sign_in_browser

PHONE = {"width": 320, "height": 640}


def _answer(page: Any, role: str) -> None:
    for n in range(1, 13):
        group = page.get_by_role("group", name=f"{n}. ", exact=False).first
        group.get_by_label("Partly" if n == 3 else "Agree", exact=True).check()
    page.get_by_role("group", name="Your type of role (optional)").get_by_label(role).check()
    page.get_by_role("button", name="Send your answers").click()
    assert "Thank you for your answers" in page.locator("h1").inner_text()


def test_two_practitioners_answer_the_survey_on_one_phone(
        page: Any, live_url: str, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    survey.ensure_links(db, known.cycle, now=survey_fixture.OPENED)
    db.commit()
    agency = known.agencies["OK"]
    token = db.scalar(select(SurveyLink.token).where(SurveyLink.agency_id == agency.id))
    page.set_viewport_size(PHONE)
    page.goto(f"{live_url}/survey/{token}")
    assert_accessible(page)  # axe at 1280 and 320 px, and no sideways scrolling at 320
    page.set_viewport_size(PHONE)  # answer it on the phone

    page.get_by_role("button", name="Send your answers").click()  # nothing chosen: errors
    summary = page.locator(".govuk-error-summary")
    assert "Select an answer for statement 1" in summary.inner_text()
    assert_accessible(page)
    page.set_viewport_size(PHONE)

    _answer(page, "Volunteer")
    assert_accessible(page)

    db.expire_all()
    rows = db.execute(text("SELECT * FROM survey_responses WHERE agency_id = :a AND "
                           "role_band = 'volunteer'"), {"a": agency.id}).mappings().all()
    assert [set(r) for r in rows] == [{"id", "partnership_id", "cycle_id", "agency_id", "role_band",
                                        "service_band", "answered_on", "flag", "set_aside"}]
    assert rows[0]["service_band"] is None

    page.goto(f"{live_url}/survey/{token}")  # the next person on the same phone
    assert "Someone has already answered this survey on this device" in page.inner_text("main")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    _answer(page, "Manager or supervisor")
    db.expire_all()
    roles = db.scalars(text("SELECT role_band FROM survey_responses WHERE agency_id = :a AND "
                            "role_band <> 'frontline'"), {"a": agency.id}).all()
    assert sorted(roles) == ["manager", "volunteer"]  # both people on the phone are counted

    survey_fixture.close(db, known)  # figures are released when the survey closes

    user = factories.user(db, "agency", agency=agency)
    db.commit()
    sign_in_browser(page, live_url, user.email, factories.PASSWORD)
    page.goto(f"{live_url}/agency/survey/{known.cycle.id}")
    assert "About 10 people answered" in page.inner_text("main")  # 12, rounded to base 5
    assert_accessible(page)
    page.goto(f"{live_url}/agency/")
    assert_accessible(page)

    manager = factories.user(db, "manager")
    db.commit()
    page.goto("about:blank")  # leave the page: nothing of it may still be in flight
    clear_session(page)  # a new browser session for the manager
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)
    for path in ("/survey-results/", "/survey-results/2026-27"):
        page.goto(f"{live_url}{path}")
        assert_accessible(page)
