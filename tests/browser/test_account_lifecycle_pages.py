"""The manager's account pages (a user's details, changing a role with its error, the accounts to
review) are axe-clean at 1280 and 320 px."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from portal.models import Role, utcnow
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in_browser


def test_account_lifecycle_pages_are_accessible(page: Any, live_url: str, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    member = factories.user(db, Role.COMMITTEE, email="stale@example.org")
    member.last_sign_in_at = utcnow() - timedelta(days=400)
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)
    page.goto(f"{live_url}/manager/users")
    page.get_by_role("link", name="Accounts unused for 12 months to review").click()
    assert "stale@example.org" in page.locator("table").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="stale@example.org").click()
    assert_accessible(page)
    page.get_by_role("link", name="Change role").click()
    page.get_by_label("Agency user", exact=True).check()
    page.get_by_role("button", name="Change role").click()
    assert "Enter the agency an agency user belongs to" in page.locator(
        ".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Board or committee member (moderator)").check()
    page.get_by_role("button", name="Change role").click()
    assert "Board or committee member (moderator)" in page.locator("main").inner_text()
    assert_accessible(page)
