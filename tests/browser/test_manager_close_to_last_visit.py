"""Issue 27's acceptance in Chromium: the manager goes from the close of a cycle to its last visit
following only the home page's "Next" links (close, draw the sample, schedule the visits, chase
the overdue outcomes), and the cycle leaves the home page once everything is done. Each home page
and each page it leads to passes axe at 1280 and 320 px."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Role, Visit
from portal.services import moderation
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in_browser
from tests.support.moderation_factories import cycle_with_returns, members, record_every_standard

LABEL = "2017-18"
HELD = datetime(2026, 11, 2, 10)  # a month before today's date in this session's clock: overdue


def _next(page: Any, live_url: str, expected: str) -> None:
    """Go home, check the cycle's next step, pass axe, and follow the step's link."""
    page.goto(f"{live_url}/manager/")
    step = page.locator(f"#next-{LABEL}")
    assert expected in step.inner_text(), step.inner_text()
    assert_accessible(page)
    step.get_by_role("link").click()
    assert_accessible(page)


def _hold_every_visit(db: Session) -> list[Visit]:
    """Time passes: the scheduled visits took place a month ago (their outcomes now overdue)."""
    db.expire_all()
    visits = list(db.scalars(select(Visit)))
    for visit in visits:
        visit.starts_at = HELD
    db.commit()
    return visits


def test_the_manager_goes_from_the_close_to_the_last_visit_by_the_home_pages_links(
    page: Any, live_url: str, db: Session, tool: object, mailbox: Any
) -> None:
    cycle_with_returns(db, {"Health": 12, "Statutory": 8})
    members(db, ["Alex Board", "Bea Carter"])
    manager = factories.user(db, Role.MANAGER, name="Pat Manager")
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)

    _next(page, live_url, "The final deadline has passed: close the cycle")
    page.get_by_role("button", name="Close the cycle and escalate 0 returns").click()
    assert "Cycle 2017-18 is closed" in page.locator(".govuk-notification-banner").inner_text()

    _next(page, live_url, "Draw the moderation sample")
    page.get_by_role("button", name="Draw the sample").click()
    assert_accessible(page)

    _next(page, live_url, "Schedule the moderation visits")
    if page.get_by_role("button", name="Schedule the visits on one page").count():
        page.get_by_role("button", name="Schedule the visits on one page").click()
    rows = page.get_by_role("group", name="Date of the visit to", exact=False)
    for n in range(rows.count()):
        group = rows.nth(n)
        group.get_by_label("Day").fill(str(10 + n))
        group.get_by_label("Month").fill("6")
        group.get_by_label("Year").fill("2031")
    for field in page.get_by_label("Start time (UK time) at", exact=False).all():
        field.fill("10:00")
    for field in page.get_by_label("Place of the visit to", exact=False).all():
        field.fill("Civic Centre")
    page.get_by_role("button", name="send the invitations", exact=False).click()
    assert "visits scheduled" in page.locator(".govuk-notification-banner").inner_text()

    visits = _hold_every_visit(db)
    _next(page, live_url, "Record the outcomes of the visits that have taken place")
    assert page.get_by_role("heading", level=1).inner_text() == "Moderation sample and visits"

    for visit in visits:  # the Board members record each visit (their own journey is tested)
        record_every_standard(db, visit)
        db.flush()
        moderation.complete_visit(db, visit, outcome="Evidence seen", now=datetime(2026, 11, 3, 9),
                                  user_id=visit.member_id)
    db.commit()
    page.goto(f"{live_url}/manager/")
    assert page.locator(f"#glance-{LABEL}").count() == 0, "a finished cycle stays on the home page"
    assert "No cycle is open or waiting" in page.inner_text("main")
    assert_accessible(page)
