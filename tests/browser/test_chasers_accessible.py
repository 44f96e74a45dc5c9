"""The manager's chaser pages in Chromium: accessible, and the wording error summarised."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services.chasers import stages_of
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in_browser
from tests.support.chaser_helpers import chasers_send, open_cycle_with


def test_chaser_pages_are_accessible(
    app: Flask, page: Any, live_url: str, db: Session, tool: Any, mailbox: Any
) -> None:
    manager = factories.user(db, Role.MANAGER)
    arranged = open_cycle_with(db, ["Riverside NHS Trust", "Hilltop Youth Club"])
    mailbox.reject.add("hilltop.youth.club@agency.example.org")
    chasers_send(app, date(2018, 5, 11))
    stage = stages_of(db, arranged.cycle)[0]
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)

    page.get_by_role("link", name="Chasers").click()
    page.get_by_role("link", name="Compact Audit 2018-19").click()
    assert "contact address bounced — update it" in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Riverside NHS Trust").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Chasers for Riverside NHS Trust"
    assert_accessible(page)

    page.get_by_role("link", name="Final notice").click()
    assert_accessible(page)

    page.goto(f"{live_url}/chasers/stages/{stage.id}/edit")
    page.get_by_label("Subject").fill("Reminder for {agancy}")
    page.get_by_role("button", name="Save stage").click()
    assert "unknown placeholder {agancy}" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    page.get_by_label("Subject").fill("Reminder for {agency}")
    page.get_by_role("button", name="Preview").click()
    assert "Reminder for Example Agency" in page.locator(".app-email-preview").inner_text()
    assert_accessible(page)
