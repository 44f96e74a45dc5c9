"""Each role signs in through Chromium and lands on an accessible home page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from portal.models import Role
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in_browser

HEADINGS = {
    Role.MANAGER: "Compact Audit",
    Role.AGENCY: "Your returns",
    Role.MODERATOR: "Your moderation visits",
    Role.COMMITTEE: "Monitoring, Evaluation and Scrutiny Committee",
}


def test_sign_in_page_is_accessible(page: Any, live_url: str) -> None:
    page.goto(f"{live_url}/sign-in")
    assert page.title().startswith("Sign in")
    assert_accessible(page)


def test_sign_in_errors_are_summarised_accessibly(page: Any, live_url: str) -> None:
    page.goto(f"{live_url}/sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter your email address" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_to_an_accessible_home_page(
    page: Any, live_url: str, db: Session, role: Role
) -> None:
    agency = factories.agency(db, "Riverside Youth Club") if role == Role.AGENCY else None
    user = factories.user(db, role, agency=agency)
    db.commit()
    sign_in_browser(page, live_url, user.email, factories.PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == HEADINGS[role]
    assert_accessible(page)
    page.get_by_role("link", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign out"
    assert "This browser" in page.locator("main").inner_text()  # the sessions list
    assert_accessible(page)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have been signed out")
