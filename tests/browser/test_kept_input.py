"""What the user typed survives a timeout or a failed save in their own browser tab, then goes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Evidence, Role
from tests.support import factories
from tests.support.browser import assert_accessible, clear_session, sign_in_browser
from tests.support.returns_helpers import codes_by_standard, issue, return_of, slug


def test_typed_answers_come_back_after_a_timeout_and_a_500_and_are_dropped_once_saved(
    page: Any, live_url: str, db: Session, tool: Any
) -> None:
    agency = factories.agency(db, "Hillside Scouts", variant="full")
    user = factories.user(db, Role.AGENCY, agency=agency, email="lead@hillside.example.org")
    return_ = return_of(db, agency, issue(db))
    db.commit()
    codes = codes_by_standard(tool, "full")["1"]
    url = f"{live_url}/agency/returns/{return_.id}/standards/1"

    sign_in_browser(page, live_url, user.email, factories.PASSWORD)
    page.goto(url)
    for code in codes:
        page.locator(f'input[name="grade-{slug(code)}"][value="good"]').check()
    page.locator("#evidence").fill("Typed before the timeout")
    clear_session(page)  # the session ends while the user is typing
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url("**/sign-in**")
    sign_in_browser_here(page, user.email)
    page.wait_for_url(url)
    assert page.locator("#app-kept-input").is_visible()
    assert page.locator("#evidence").input_value() == "Typed before the timeout"
    assert all(page.locator(f'input[name="grade-{slug(c)}"][value="good"]').is_checked()
               for c in codes)
    assert_accessible(page)

    # The save itself fails with a 500 (the server is intercepted): the input comes back again.
    page.locator("#evidence").fill("Typed before the 500")
    page.route(url, lambda route: route.fulfill(status=500, body="Internal Server Error")
               if route.request.method == "POST" else route.continue_())
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_load_state()
    page.unroute(url)
    page.goto(url)
    assert page.locator("#evidence").input_value() == "Typed before the 500"

    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_load_state()
    db.rollback()
    assert db.scalars(select(Evidence.text)).all() == ["Typed before the 500"]
    page.goto(url)
    assert not page.locator("#app-kept-input").is_visible()  # saved, so nothing is put back


def sign_in_browser_here(page: Any, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
