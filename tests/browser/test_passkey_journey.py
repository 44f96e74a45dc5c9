"""A committee member registers a passkey through Chromium's virtual authenticator and signs in
with it (issue 29); every passkey page is axe clean at 1280 and 320 px.

Browsers refuse an IP address as a passkey's relying party, and WebAuthn needs a secure context,
which http://localhost is: the browser visits the live server as localhost, and the app is told
so (PASSKEY_RP_ID, PASSKEY_ORIGIN) for the length of each test."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Passkey, Role, User
from tests.support import factories
from tests.support.browser import HEIGHT, WIDE, assert_accessible, sign_in_browser


@pytest.fixture
def localhost_url(app: Flask, live_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"http://localhost:{urlsplit(live_url).port}"
    monkeypatch.setitem(app.config, "PASSKEY_RP_ID", "localhost")
    monkeypatch.setitem(app.config, "PASSKEY_ORIGIN", url)
    return url


def add_virtual_authenticator(page: Any) -> tuple[Any, str]:
    """A platform authenticator that holds discoverable passkeys and verifies its user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})
    return cdp, added["authenticatorId"]


@pytest.fixture
def member(db: Session) -> User:
    made = factories.user(db, Role.COMMITTEE, name="Cam Member")
    db.commit()
    return made


def _heading(page: Any) -> str:
    return str(page.get_by_role("heading", level=1).inner_text())


def _sign_out(page: Any, base: str) -> None:
    page.goto(f"{base}/sign-out")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have been signed out")


def _add_passkey(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/account/security/passkeys")
    assert _heading(page) == "Passkeys"
    assert_accessible(page)
    page.get_by_label("Name this passkey").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Passkey '{name}' added")


def test_a_committee_member_registers_a_passkey_and_signs_in_with_it(
        page: Any, localhost_url: str, db: Session, member: User) -> None:
    cdp, authenticator = add_virtual_authenticator(page)
    sign_in_browser(page, localhost_url, member.email, factories.PASSWORD)
    _add_passkey(page, localhost_url, "This computer")
    assert "This computer" in page.locator(".govuk-summary-list").inner_text()
    assert_accessible(page)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert [c["isResidentCredential"] for c in credentials["credentials"]] == [True]

    _sign_out(page, localhost_url)
    assert_accessible(page)  # the sign-in page, with its passkey section shown
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Monitoring, Evaluation and Scrutiny Committee")
    assert_accessible(page)
    db.expire_all()
    assert db.scalars(select(AuditEvent.action).where(AuditEvent.user_id == member.id)
                      .order_by(AuditEvent.id)).all()[-2:] == ["passkey.added", "passkey.used"]


def test_the_passkey_as_second_factor_rename_and_remove_pages(
        page: Any, localhost_url: str, db: Session, member: User) -> None:
    add_virtual_authenticator(page)
    sign_in_browser(page, localhost_url, member.email, factories.PASSWORD)
    _add_passkey(page, localhost_url, "Laptop")
    page.goto(f"{localhost_url}/sign-in/second-factor/passkey")
    assert _heading(page) == "Confirm it is you with a passkey"
    assert_accessible(page)
    page.get_by_role("button", name="Use my passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Monitoring, Evaluation and Scrutiny Committee")

    page.goto(f"{localhost_url}/account/security/passkeys")
    page.get_by_role("link", name="Rename Laptop").click()
    assert_accessible(page)
    page.get_by_label("New name").fill("")
    page.get_by_role("button", name="Save name").click()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("New name").fill("Work laptop")
    page.get_by_role("button", name="Save name").click()
    page.get_by_role("link", name="Remove Work laptop").click()
    assert_accessible(page)
    page.get_by_role("button", name="Remove passkey").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Passkey 'Work laptop' removed")
    db.expire_all()
    assert db.scalar(select(Passkey.id)) is None


def test_a_refused_passkey_is_summarised_accessibly(
        page: Any, localhost_url: str, db: Session, member: User) -> None:
    """A passkey the portal no longer holds (removed from the account, kept on the device)."""
    add_virtual_authenticator(page)
    sign_in_browser(page, localhost_url, member.email, factories.PASSWORD)
    _add_passkey(page, localhost_url, "Old phone")
    db.query(Passkey).delete()
    db.commit()
    _sign_out(page, localhost_url)
    page.get_by_role("button", name="Use a passkey").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Your passkey was not recognised")
    assert page.title().startswith("Error:")
    assert_accessible(page)


def test_the_script_runs_under_the_sites_content_security_policy(
        browser: Any, localhost_url: str, member: User) -> None:
    """The other browser tests bypass the CSP to inject axe; this one keeps it."""
    context = browser.new_context(viewport={"width": WIDE, "height": HEIGHT})
    try:
        strict = context.new_page()
        errors: list[str] = []
        strict.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in_browser(strict, localhost_url, member.email, factories.PASSWORD)
        strict.goto(f"{localhost_url}/account/security/passkeys")
        expect(strict.get_by_role("button", name="Add a passkey")).to_be_visible()
        expect(strict.locator("[data-passkey-unsupported]")).to_be_hidden()
        assert [e for e in errors if "Content Security Policy" in e] == []
    finally:
        context.close()
