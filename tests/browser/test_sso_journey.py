"""Single sign-on in Chromium through the local OpenID Connect provider (a real one): the
portal's pages on the way are axe clean at 1280 and 320 px (the provider's own login page is
not the portal's, so it is not checked)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from portal.models import Role
from tests.support import factories
from tests.support.browser import assert_accessible
from tests.support.oidc_provider import (
    MANAGER,
    STAFF,
    UNVERIFIED,
    LocalProvider,
    add_local_provider,
    oidc_provider_fixture,  # noqa: F401 (the fixture oidc_provider)
)


def at_provider_choose(page: Any, account: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
    page.get_by_label("Account").select_option(account)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_manager_finds_their_organisation_by_email_signs_in_and_out(
        page: Any, live_url: str, db: Session, oidc_provider: LocalProvider) -> None:
    factories.user(db, Role.MANAGER, email="manager@council.example")
    add_local_provider(db, oidc_provider)
    page.goto(f"{live_url}/sign-in")
    assert_accessible(page)
    page.get_by_role("link", name="Sign in with your organisation's account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in with your organisation's account")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()  # nothing entered: an error
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your work email address")
    assert_accessible(page)
    page.get_by_label("Your work email address").fill("manager@council.example")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with Council Example")
    assert_accessible(page)
    page.get_by_role("button", name="Continue to Council Example").click()
    at_provider_choose(page, MANAGER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Compact Audit")  # manager home
    assert page.url.startswith(live_url)
    assert_accessible(page)
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have been signed out")
    expect(page.get_by_role("button", name="Also sign out of Council Example")).to_be_visible()
    assert_accessible(page)


def test_agency_staff_choose_their_organisations_button_and_land_on_their_returns(
        page: Any, live_url: str, db: Session, oidc_provider: LocalProvider) -> None:
    agency = factories.agency(db, "Council Example Youth Service")
    factories.user(db, Role.AGENCY, agency=agency, email="staff@council.example")
    add_local_provider(db, oidc_provider)
    page.goto(f"{live_url}/sso")
    page.get_by_role("button", name="Sign in with Council Example").click()
    at_provider_choose(page, STAFF)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your returns")
    assert_accessible(page)


def test_an_unverified_address_is_refused_on_an_accessible_page(
        page: Any, live_url: str, db: Session, oidc_provider: LocalProvider) -> None:
    factories.user(db, Role.MANAGER, email="staff@council.example")
    add_local_provider(db, oidc_provider)
    page.goto(f"{live_url}/sso")
    page.get_by_role("button", name="Sign in with Council Example").click()
    at_provider_choose(page, UNVERIFIED)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You cannot sign in with Council Example")
    expect(page.locator("[data-sso-problem]")).to_contain_text("has not verified your email")
    assert_accessible(page)
