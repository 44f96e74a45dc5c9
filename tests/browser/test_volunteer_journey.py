"""A new volunteer completes the short tool in Chromium: from the invitation email to the
confirmation in at most 12 pages, each accessible at 1280 and 320 px (screenshots at 320 px)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from flask import Flask
from sqlalchemy.orm import Session

from tests.support import factories
from tests.support.browser import HEIGHT, NARROW, WIDE, assert_accessible, sign_in_browser
from tests.support.mail import wait_for_mail

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "short-tool"
PASSWORD = "river bicycle lantern porridge"
LINK = re.compile(r"https?://\S+/set-password/\S+")


def _cli(app: Flask, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output


def _screenshot(page: Any, name: str) -> None:
    page.set_viewport_size({"width": NARROW, "height": HEIGHT})
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": WIDE, "height": HEIGHT})


def _answer_page(page: Any, index: int) -> None:
    """Good for every question on the page; the last page also takes the one evidence box."""
    for radio in page.locator('input[type="radio"][value="good"]').all():
        radio.check()
    if index == 3:
        page.get_by_label("What could you show us to back up your answers?").fill(
            "Our written rules, the list of who has had training, and our meeting notes.")


def test_a_new_volunteer_completes_the_short_tool_from_the_invitation(
        page: Any, live_url: str, app: Flask, db: Session, tool: Any, mailbox: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    factories.agency(db, "Brookside Youth Club", sector_name="Voluntary and community",
                     variant="short", email="volunteer@brookside.example.org")
    db.commit()
    _cli(app, "cycles", "open", "--label", "2026-27", "--cohort", "A",
         "--deadline", "2027-01-29")
    _cli(app, "mail", "send")
    invitation = wait_for_mail(mailbox, "volunteer@brookside.example.org")
    messages = mailbox.to("volunteer@brookside.example.org")
    assert "short audit for small groups" in str(invitation.get_body(("plain",)).get_content())
    [link] = [m for msg in messages for m in LINK.findall(msg.get_body(("plain",)).get_content())]

    visited: list[str] = []
    page.on("load", lambda p: visited.append(p.url))
    page.goto(live_url + urlparse(link).path)
    assert_accessible(page)
    _screenshot(page, "01-set-password")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm new password").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_load_state()
    if urlparse(page.url).path == "/sign-in":  # until issue 11 signs the user in here
        assert_accessible(page)
        sign_in_browser(page, live_url, "volunteer@brookside.example.org", PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Your returns"
    assert_accessible(page)
    _screenshot(page, "02-your-returns")
    page.get_by_role("link", name="Start the 2026-27 return").click()
    assert_accessible(page)
    _screenshot(page, "03-task-list")
    page.get_by_role("link", name="Who is in charge, and your rules").click()
    for index in range(4):
        assert page.locator("h1").inner_text().strip()
        _answer_page(page, index)
        assert_accessible(page)
        _screenshot(page, f"{index + 4:02d}-page-{index + 1}")
        page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Check your answers before you submit"
    assert_accessible(page)
    _screenshot(page, "08-check")
    page.get_by_label("Your full name").fill("Bo Chan")
    page.get_by_label("Your role").fill("Volunteer lead")
    page.get_by_role("button", name="Accept and submit").click()
    assert "Return submitted" in page.locator(".govuk-panel").inner_text()
    assert_accessible(page)
    _screenshot(page, "09-submitted")

    pages = [urlparse(u).path for u in visited]
    assert pages[0].startswith("/set-password/") and pages[-1].endswith("/submitted")
    assert len(pages) <= 12, pages
    print(f"\n{len(pages)} pages from setting a password to the confirmation: {pages}")
