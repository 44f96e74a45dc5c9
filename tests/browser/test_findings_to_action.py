"""The loop in Chromium: a recommendation, a request to one sector, answers, one reminder, exports,
progress; axe-core at 1280 and 320 CSS px on every page of it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from portal.models import Role, utcnow
from portal.services.common import add_working_days, uk_today
from tests.support import factories
from tests.support.browser import assert_accessible, clear_session, sign_in_browser
from tests.support.chaser_helpers import address_of, chasers_send, days, open_cycle_with

HEALTH = ["Riverside NHS Trust", "Hilltop Community Health", "Valley Hospital"]
SILENT = "Valley Hospital"
TITLE = "Training on working with disabled children"


def _check(page: Any) -> None:
    """Zero axe violations at 1280 and at 320 CSS px."""
    assert_accessible(page)  # both widths, once each
    page.set_viewport_size({"width": 1280, "height": 900})


def _sign_in(page: Any, live_url: str, email: str) -> None:
    page.goto("about:blank")  # leave the page first: none of its requests may set a cookie later
    clear_session(page)  # the next person at the keyboard
    sign_in_browser(page, live_url, email, factories.PASSWORD)


def _fill_date(page: Any, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _reminders(mailbox: Any) -> list[Any]:
    return [m for m in mailbox.to(address_of(SILENT)) if "has not yet answered" in str(m["Subject"])]


def test_findings_become_a_recommendation_a_request_answers_and_progress(
    app: Flask, page: Any, live_url: str, db: Session, tool: Any, mailbox: Any
) -> None:
    arranged = open_cycle_with(db, HEALTH)  # three Health agencies
    factories.agency(db, "County Police", sector_name="Statutory", email=address_of("County Police"))
    member = factories.user(db, Role.COMMITTEE)
    manager = factories.user(db, Role.MANAGER)
    leads = [factories.user(db, Role.AGENCY, agency=arranged.agencies[n]) for n in HEALTH[:2]]
    db.commit()
    today = uk_today(utcnow())
    deadline = add_working_days(today, 10)

    # The committee records a recommendation.
    _sign_in(page, live_url, member.email)
    page.get_by_role("link", name="Recommendations").click()
    _check(page)
    page.get_by_role("button", name="Record a recommendation").click()
    _check(page)
    page.get_by_label("Recommendation", exact=True).fill(
        "The Chair writes to all health services about training on working with disabled children")
    page.get_by_label("Standards it concerns (optional)").fill("11")
    page.get_by_label("The Chair").check()
    page.get_by_label("Name of the owner").fill("Independent Chair")
    _fill_date(page, "Due date", today + timedelta(days=90))
    page.get_by_role("button", name="Record recommendation").click()
    expect(page.locator("body")).to_contain_text("Recommendation recorded")
    _check(page)

    # The manager sends an information request to one sector, following it up.
    _sign_in(page, live_url, manager.email)
    page.get_by_role("link", name="Requests", exact=True).click()  # the navigation's
    _check(page)
    page.get_by_role("button", name="Send an information request").click()
    page.get_by_role("button", name="Preview the emails").click()  # empty: the error summary
    expect(page).to_have_title(re.compile(r"^Error:"))
    assert "Enter the title of the request" in page.locator(".govuk-error-summary").inner_text()
    _check(page)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("From").fill("Independent Chair")
    _fill_date(page, "Deadline for answers", deadline)
    page.get_by_role("radio", name="One sector").check()
    page.get_by_label("Sector (if one sector)").select_option(label="Health")
    page.get_by_label("Recommendation it follows up (optional)").select_option(index=1)
    page.get_by_label("Question 1", exact=True).fill("Have your staff had training on working "
                                                      "with disabled children this year?")
    page.get_by_label("Kind of answer to question 1").select_option("yes_no")
    page.get_by_label("Question 2 (optional)").fill("Which training?")
    page.get_by_role("button", name="Preview the emails").click()
    assert page.locator("#bulk-message-count").inner_text().startswith("3 emails will be sent")
    _check(page)  # the preview, its HTML email in a frame, passes axe
    page.get_by_role("button", name="Send 3 emails").click()
    expect(page.locator("body")).to_contain_text("Request sent to 3 agencies")
    _check(page)
    request_url = page.url

    # Two agencies answer it; the third does not.
    for lead, answer in zip(leads, ("Yes", "No"), strict=True):
        _sign_in(page, live_url, lead.email)
        page.get_by_role("link", name="Information requests").click()
        _check(page)
        page.get_by_role("link", name=f"Answer “{TITLE}”").click()
        page.get_by_label(answer, exact=True).check()
        page.get_by_label("2. Which training?").fill(f"{lead.agency.name}'s own course")
        _check(page)
        page.get_by_role("button", name="Send answers").click()
        expect(page.locator("body")).to_contain_text("Your answers to")

    # Daily runs up to the deadline: exactly one reminder, 2 working days before it.
    reminded: list[date] = []
    for day in days(today, deadline + timedelta(days=3)):
        before = len(_reminders(mailbox))
        chasers_send(app, day)
        if len(_reminders(mailbox)) > before:
            reminded.append(day)
    assert reminded == [add_working_days(deadline, -2)]
    assert len(_reminders(mailbox)) == 1
    for name in [*HEALTH[:2], "County Police"]:
        assert not [m for m in mailbox.to(address_of(name))
                    if "has not yet answered" in str(m["Subject"])]

    # The manager exports the answers; the recommendation shows progress.
    _sign_in(page, live_url, manager.email)
    page.goto(request_url)
    expect(page.locator("body")).to_contain_text("2 of 3 agencies have answered (66.7%)")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the answers as CSV").click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert "Riverside NHS Trust's own course" in exported
    assert "Hilltop Community Health's own course" in exported
    assert "Valley Hospital,Health,Not answered" in exported
    page.get_by_role("link", name="The Chair writes to all health services").click()
    progress = page.locator("main").inner_text()
    assert "In progress" in progress
    assert "(2 of 3 agencies have answered)" in progress
    assert "2 of 3 agencies answered" in progress
    _check(page)
