"""An agency user completes a return in Chromium: part now, the rest after signing in again."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal.models import Role
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in_browser
from tests.support.mail import wait_for_mail
from tests.support.returns_helpers import codes_by_standard, issue, slug

LABELS = {"good": "Good", "requires_improvement": "Requires improvement"}


def grade_for(code: str) -> str:
    return "requires_improvement" if code == "6.1" else "good"


def fill_standard(page: Any, standard: str, codes: list[str]) -> None:
    for code in codes:
        page.locator(f'input[name="grade-{slug(code)}"][value="{grade_for(code)}"]').check()
        if grade_for(code) == "requires_improvement":
            page.locator(f"#what-{slug(code)}").fill("Check references before anyone starts")
            page.locator(f"#who-{slug(code)}").fill("Volunteer coordinator")
            page.locator(f"#by-{slug(code)}-day").fill("30")
            page.locator(f"#by-{slug(code)}-month").fill("4")
            page.locator(f"#by-{slug(code)}-year").fill("2027")
    page.locator("#evidence").fill(f"Minutes and records for standard {standard}")


def test_agency_user_completes_resumes_checks_and_submits_a_return(
    page: Any, live_url: str, db: Session, mailbox: Any
) -> None:
    """On the 2026.1 edition: a page and an evidence box per standard."""
    tool = factories.earlier_tool(db)
    agency = factories.agency(db, "Riverside Youth Club", sector_name="Voluntary and community",
                              variant="short", email="lead@riverside.example.org")
    user = factories.user(db, Role.AGENCY, agency=agency, email="dsl@riverside.example.org",
                          name="Sam Patel")
    issue(db, tool=tool)
    db.commit()
    standards = codes_by_standard(tool, "short")

    sign_in_browser(page, live_url, user.email, factories.PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name="Start the 2026-27 return").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Compact Audit 2026-27"
    assert_accessible(page)
    page.get_by_role("link", name="1. Leadership and accountability").click()

    # A mistake first: not applicable needs a reason; the summary links to the field.
    first = standards["1"][0]
    page.locator(f'input[name="grade-{slug(first)}"][value="not_applicable"]').check()
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    assert f"Enter why question {first} is not applicable" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    for number, (standard, codes) in enumerate(standards.items()):
        if number == 4:  # part done: come back later, sign out, sign in again
            page.get_by_role("button", name="Save and come back later").click()
            assert "is saved" in page.content()
            page.get_by_role("link", name="Sign out").click()
            page.get_by_role("button", name="Sign out", exact=True).click()
            page.wait_for_load_state()
            sign_in_browser(page, live_url, user.email, factories.PASSWORD)
            assert "7 of 19 questions" in page.locator("main").inner_text()
            page.get_by_role("link", name="Continue the 2026-27 return").click()
            assert "completed 4 of 12 standards" in page.locator("#progress").inner_text()
            page.get_by_role("link", name=re.compile(rf"^{standard}\. ")).click()
        fill_standard(page, standard, codes)
        assert_accessible(page)
        if number not in (3, len(standards) - 1):  # 3 is saved by "come back later"
            page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Check your answers before you submit"
    assert "Requires improvement" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("Your full name").fill("Sam Patel")
    page.get_by_label("Your role").fill("Designated safeguarding lead")
    page.get_by_role("button", name="Accept and submit").click()

    assert "Return submitted" in page.locator(".govuk-panel").inner_text()
    assert_accessible(page)

    message = wait_for_mail(mailbox, "dsl@riverside.example.org")
    wait_for_mail(mailbox, "lead@riverside.example.org")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    reader = PdfReader(io.BytesIO(attachment.get_content()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Riverside Youth Club" in text
    for codes in standards.values():
        for code in codes:
            assert re.search(rf"{re.escape(code)}\s+{LABELS[grade_for(code)]}", text), code


def test_pages_warn_before_the_session_times_out_and_can_keep_it_alive(
    page: Any, live_url: str, db: Session, tool: Any
) -> None:
    agency = factories.agency(db, "Hillside Scouts", variant="full")
    user = factories.user(db, Role.AGENCY, agency=agency)
    issue(db)
    db.commit()
    page.clock.install()
    sign_in_browser(page, live_url, user.email, factories.PASSWORD)
    page.get_by_role("link", name="Start the 2026-27 return").click()
    page.get_by_role("link", name="1. Leadership and accountability").click()
    page.wait_for_url("**/standards/1")  # loaded, so the timers below belong to this page
    page.wait_for_selector("#app-session-timeout[data-started]", state="attached")

    page.clock.fast_forward("25:01")
    notice = page.get_by_role("alert")
    assert "You will be signed out in 5 minutes" in notice.inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Stay signed in").click()
    page.wait_for_function("() => !document.querySelector('.app-session-notice')")

    page.clock.fast_forward("30:01")
    assert "You have been signed out" in page.get_by_role("alert").inner_text()
