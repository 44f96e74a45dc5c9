"""The manager's register and user pages, including their error states, pass axe-core."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import Role
from tests import factories
from tests.browser.conftest import assert_accessible, sign_in_browser


def test_register_and_user_pages_are_accessible(page: Any, live_url: str, db: Session) -> None:
    agency = factories.agency(db, "Riverside Youth Club", sector_name="Voluntary and community")
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)
    for path in ("/manager/", "/manager/agencies", f"/manager/agencies/{agency.id}",
                 f"/manager/agencies/{agency.id}/edit", f"/manager/agencies/{agency.id}/cohort",
                 "/manager/agencies/new", "/manager/agencies/import", "/manager/users",
                 f"/manager/users/{manager.id}", "/manager/users/new", "/no-such-page"):
        page.goto(f"{live_url}{path}")
        assert_accessible(page)
    page.goto(f"{live_url}/manager/agencies/new")
    page.get_by_role("button", name="Save agency").click()
    assert "Enter the agency name" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.goto(f"{live_url}/manager/agencies/import")
    page.get_by_role("button", name="Import agencies").click()
    assert "Select a CSV file" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
