"""The moderation journeys in Chromium: each page passes axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Standard
from portal.services import moderation
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in_browser
from tests.support.moderation_factories import AFTER_DEADLINE, cycle_with_returns, grade, members


def test_manager_and_member_moderation_pages_are_accessible(
    page: Any, live_url: str, db: Session, tool: object
) -> None:
    cycle, _ = cycle_with_returns(db, {"Health": 12, "Statutory": 8})
    manager = factories.user(db, name="Pat Manager")
    members(db, ["Alex Board"])
    sample = moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=3, now=AFTER_DEADLINE,
                                  user_id=manager.id)
    visit = moderation.plan_visits(db, sample=sample, manager_id=manager.id, now=AFTER_DEADLINE)[0]
    grade(db, visit.return_, {"1.1": "good", "1.2": "requires_improvement"})
    standard = db.scalar(select(Standard).where(Standard.code == "1"))
    assert standard is not None
    moderation.record_finding(db, visit, standard_id=standard.id, moderated_grade="good",
                            note="Seen the minutes", now=AFTER_DEADLINE, user_id=None)
    db.commit()

    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)
    for path in ("/manager/moderation/", "/manager/moderation/cycles/2017-18",
                 "/manager/moderation/cycles/2017-18/sample",
                 f"/manager/moderation/visits/{visit.id}",
                 "/manager/moderation/cycles/2017-18/calibration"):
        page.goto(f"{live_url}{path}")
        assert_accessible(page)
    page.goto(f"{live_url}/manager/moderation/visits/{visit.id}/schedule")
    page.get_by_role("button", name="Save and send invitations").click()
    assert "Enter the date of the visit" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    member = visit.member
    assert member is not None
    page.goto(f"{live_url}/sign-out")
    assert_accessible(page)  # the sign-out page lists this browser's session
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_load_state()
    sign_in_browser(page, live_url, member.email, factories.PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Your moderation visits"
    assert_accessible(page)
    page.get_by_role("link", name=visit.return_.agency.name).click()
    assert_accessible(page)
    page.get_by_role("link", name="1. Leadership and accountability").click()
    assert_accessible(page)  # read-only: the answers, action plans and evidence
    page.get_by_role("link", name="Record your finding for standard 1").click()
    assert_accessible(page)  # every standard on one page
