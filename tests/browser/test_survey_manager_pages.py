"""While the survey is open, the manager's survey page lists full links and flagged answers, and
raising a link's limit shows its error summary: each page axe-clean at 1280 and 320 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from portal.services import survey
from tests.support import factories, survey_fixture
from tests.support.browser import assert_accessible, sign_in_browser


def test_the_manager_raises_a_full_links_limit_and_reviews_flagged_answers(
        page: Any, live_url: str, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    g1 = known.agencies["G1"]
    survey.declare_headcount(db, known.cycle, agency_id=g1.id, headcount=12, by_manager=False)
    statements = survey.statements_of(db, known.cycle.tool_version_id)
    for _ in range(3):
        survey.record_response(db, cycle_id=known.cycle.id, agency_id=known.agencies["N0"].id,
                               statements=statements, answers=survey_fixture.answers_for("F4", 0),
                               role_band=None, service_band=None,
                               today=survey_fixture.OPENED.date(), flag="alike 2026-05-01")
    manager = factories.user(db, "manager")
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)

    page.goto(f"{live_url}/survey-results/2026-27")
    full = page.get_by_role("region", name="Survey links that are full or nearly full")
    assert "Health agency G1" in full.inner_text()
    assert "alike 2026-05-01" in page.get_by_role("region", name="Answers flagged for review").inner_text()
    assert_accessible(page)

    full.get_by_role("link", name="Raise the limit for Health agency G1").click()
    assert_accessible(page)
    page.get_by_label("How many answers should this link take?").fill("5")
    page.get_by_role("button", name="Raise the limit").click()
    assert "The headcount can only be raised" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("How many answers should this link take?").fill("40")
    page.get_by_role("button", name="Raise the limit").click()
    assert "now takes up to 40 answers" in page.inner_text("main")
    assert "Survey links that are full or nearly full" not in page.inner_text("main")

    page.get_by_role("link", name="Set aside 3 answers to Health agency N0 (alike 2026-05-01)").click()
    assert "repeat the same answers to all statements but one" in page.inner_text("main")
    assert_accessible(page)
