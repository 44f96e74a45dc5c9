"""The manager's register and user pages, including their error states, pass axe-core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.models import MailPause, Role
from portal.services import mail
from portal.services.mail import Email
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in_browser

OPENED = datetime(2026, 3, 2, 9, 0)


def test_register_and_user_pages_are_accessible(page: Any, live_url: str, db: Session) -> None:
    agency = factories.agency(db, "Riverside Youth Club", sector_name="Voluntary and community")
    manager = factories.user(db, Role.MANAGER)
    # the manager's home with both mail notices, and the edit page with a bounced address
    agency.contacts[0].bounced_at, agency.contacts[0].bounce_reason = OPENED, "550 No such user"
    db.add(MailPause(reason="cannot connect to mail.example.org:25", since=OPENED))
    mail.queue_email(db, Email(to="a@example.org", subject="S", text="T"), kind="t",
                     now=OPENED).status = "undelivered"
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)
    page.goto(f"{live_url}/manager/")
    assert "Email is not being delivered" in page.locator("#mail-paused").inner_text()
    assert "1 email was not delivered" in page.locator("#mail-undelivered").inner_text()
    page.set_viewport_size({"width": 320, "height": 800})  # the notices on a small phone
    for path, notice in (("/manager/", "#mail-paused, #mail-undelivered, form"),
                         (f"/manager/agencies/{agency.id}/edit", ".govuk-checkboxes")):
        page.set_viewport_size({"width": 320, "height": 800})  # assert_accessible ends at 1280
        page.goto(f"{live_url}{path}")
        rights = page.evaluate("(s) => [...document.querySelectorAll('main ' + s)]"
                               ".map(e => e.getBoundingClientRect().right)", notice)
        assert rights and max(rights) <= 320, rights
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})
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
