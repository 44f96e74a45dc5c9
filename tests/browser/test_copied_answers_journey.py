"""A volunteer who starts from last cycle's answers is refused at submit until every copied
answer is confirmed, page by page, in Chromium; each page accessible at 1280 and 320 px and
none showing markup as text (issue 27, item 3)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from tests.support import factories
from tests.support.browser import assert_accessible, sign_in_browser
from tests.support.copied_answers import answered_last_cycle

EMAIL = "volunteer@riverside.example.org"
CONFIRM = "I have checked these copied answers"


def _checked(page: Any) -> str:
    """Axe-clean at both widths, and no markup in what the volunteer reads."""
    assert_accessible(page)
    text = page.locator("body").inner_text()
    assert "<span" not in text and "&lt;" not in text
    return str(text)


def _h1(page: Any) -> str:
    return str(page.get_by_role("heading", level=1).inner_text()).strip()


def test_a_volunteer_is_refused_at_submit_until_the_copied_answers_are_confirmed(
        page: Any, live_url: str, app: Flask, db: Session, tool: Any) -> None:
    answered_last_cycle(db, variant="short", name="Riverside Youth Club", email=EMAIL)
    db.commit()
    sign_in_browser(page, live_url, EMAIL, factories.PASSWORD)
    page.get_by_role("link", name="Start the 2026-27 return").click()
    page.get_by_role("button", name="Start from my last return's answers").click()
    task_list = _checked(page)
    assert "19 answers copied from your 2025-26 return" in task_list
    statuses = page.locator(".govuk-task-list__status").all_inner_texts()
    assert [s.strip() for s in statuses[:3]] == ["Check copied answers"] * 3
    assert "Completed" not in [s.strip() for s in statuses]

    page.get_by_role("button", name="Check your answers").click()
    assert _h1(page) == "Check your answers before you submit"
    check = _checked(page)
    assert "19 answers are copied from an earlier return and not checked yet" in check
    page.get_by_label("Your full name").fill("Bo Chan")
    page.get_by_label("Your role").fill("Volunteer lead")
    page.get_by_role("button", name="Accept and submit").click()
    refused = _checked(page)
    assert "You cannot submit yet" in refused
    errors = page.locator(".govuk-error-summary__list a")
    assert errors.count() == 20  # 19 copied answers and the empty evidence box
    assert "Check your answer to question 1, copied from 2025-26, and confirm it or change " \
           "it" in errors.all_inner_texts()

    errors.first.click()
    for index in range(4):
        assert page.get_by_text("copied from your 2025-26 return").count() >= 1
        if index == 3:
            page.get_by_label("What could you show us to back up your answers?").fill(
                "Our written rules, the list of who has had training, and our meeting notes.")
        page.get_by_label(CONFIRM).check()
        _checked(page)
        page.get_by_role("button", name="Save and continue").click()
    assert _h1(page) == "Check your answers before you submit"
    check = _checked(page)
    assert "not checked yet" not in check and "Copied, not checked" not in check
    page.get_by_label("Your full name").fill("Bo Chan")
    page.get_by_label("Your role").fill("Volunteer lead")
    page.get_by_role("button", name="Accept and submit").click()
    assert "Return submitted" in page.locator(".govuk-panel").inner_text()
    _checked(page)
