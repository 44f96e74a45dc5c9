"""Issue 29's acceptance journeys for the authenticator app, axe-clean at 1280 and 320 px on each
page: a manager sets one up (the test computes codes with pyotp from the key the page shows, as an
app would) and signs in with a code; a recovery code signs in once; a replayed code is refused."""

from __future__ import annotations

from typing import Any

import pyotp
from sqlalchemy.orm import Session

from portal.models import Role
from tests.support import factories
from tests.support import second_factor as factor
from tests.support.browser import assert_accessible, clear_session, sign_in_browser


def _password(page: Any, live_url: str, email: str) -> None:
    clear_session(page)
    page.goto(f"{live_url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _enter(page: Any, label: str, code: str) -> None:
    page.get_by_label(label).fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_a_manager_sets_up_an_app_and_signs_in_with_codes(page: Any, live_url: str,
                                                          db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    _password(page, live_url, manager.email)
    assert page.url.startswith(f"{live_url}/account/security/set-up")
    assert page.locator("img[alt^='QR code']").is_visible()
    assert_accessible(page)
    page.get_by_text("I cannot scan the QR code").click()
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    enrolment = factor.enrolled(manager.email, key)
    _enter(page, "Code from your authenticator app", "123")  # the error summary
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    _enter(page, "Code from your authenticator app", factor.next_code(manager.email)[0])
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_text_contents()]
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    assert page.url.rstrip("/").endswith("/manager")

    _password(page, live_url, manager.email)
    assert "/sign-in/second-factor" in page.url, page.locator("main").inner_text()
    assert_accessible(page)
    step = max(factor.current_step(), enrolment.last_step + 1)
    code = pyotp.TOTP(key).at(step * factor.STEP)
    enrolment.last_step = step
    _enter(page, "Code from your authenticator app", code)
    assert page.url.rstrip("/").endswith("/manager")
    page.goto(f"{live_url}/account/security")
    assert "Recovery codes left" in page.locator("main").inner_text()
    assert_accessible(page)

    _password(page, live_url, manager.email)  # the same code again: refused
    _enter(page, "Code from your authenticator app", code)
    assert "each code works once" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    for attempt in ("works", "refused"):  # a recovery code signs in once
        _password(page, live_url, manager.email)
        page.get_by_role("link", name="use a recovery code").click()
        page.wait_for_load_state()
        if attempt == "works":
            assert_accessible(page)
        _enter(page, "Recovery code", codes[0])
        if attempt == "works":
            assert page.url.rstrip("/").endswith("/manager")
            assert "9 recovery codes left" in page.locator("main").inner_text()
        else:
            assert "has been used" in page.locator(".govuk-error-summary").inner_text()
            assert_accessible(page)


def test_the_re_authenticate_page_is_accessible(page: Any, live_url: str, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)
    page.goto(f"{live_url}/account/security/confirm?next=/manager/users/new")
    assert_accessible(page)
    _enter(page, "Code from your authenticator app", factor.next_code(manager.email)[0])
    assert page.url.endswith("/manager/users/new")
