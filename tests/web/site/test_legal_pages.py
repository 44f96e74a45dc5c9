"""The pages the law asks for: public, filled from the partnership's settings, stating what the
browser tests check, and linked from the footer of every page each role reaches."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from portal import legal
from tests.support import page, url_for, visible_text
from tests.support.crawling import ACCOUNTS, PAGES_AT_LEAST, crawl, sign_in_demo
from tests.support.crawling import demo as demo

FOOTER = {"site.accessibility": "Accessibility statement", "site.privacy": "Privacy",
          "site.cookies": "Cookies"}


def _footer_links(app: Flask, body: str) -> dict[str, str]:
    footer = BeautifulSoup(body, "lxml").find("footer")
    assert footer is not None
    found = {str(a["href"]): a.get_text(strip=True) for a in footer.find_all("a", href=True)}
    return {e: found.get(url_for(app, e), "") for e in FOOTER}


@pytest.mark.parametrize("endpoint", sorted(FOOTER))
def test_each_page_is_public_and_names_the_partnership(
        app: Flask, client: FlaskClient, endpoint: str) -> None:
    response = client.get(url_for(app, endpoint))
    assert response.status_code == 200
    text = visible_text(page(response))
    assert app.config["PARTNERSHIP_NAME"] in text and app.config["HELP_EMAIL"] in text


def test_accessibility_statement_states_what_the_tests_check_and_the_known_issues(
        app: Flask, client: FlaskClient) -> None:
    soup = page(client.get(url_for(app, "site.accessibility")))
    text = visible_text(soup)
    assert "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility " \
           "Regulations 2018" in text
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2" in text
    checks = visible_text(soup.select_one("#checks"))
    assert all(legal.AXE_TAG_LABELS[tag] in checks for tag in legal.AXE_TAGS)
    assert f"at {legal.WIDE_PX} pixels wide, and again at {legal.NARROW_PX} pixels" in checks
    issues = [li.get_text(" ", strip=True) for li in soup.select("#known-issues li")]
    assert issues == [issue for issue, _, _ in legal.KNOWN_ISSUES]
    assert "Equality Advisory and Support Service" in text


def test_privacy_notice_names_the_controller_and_its_settings(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PARTNERSHIP_DPO_EMAIL", "dpo@partnership.example.org")
    monkeypatch.setitem(app.config, "RETENTION_AUDIT_YEARS", 7)
    text = visible_text(page(client.get(url_for(app, "site.privacy"))))
    assert f"The {app.config['PARTNERSHIP_NAME']} is the controller" in text
    assert "data protection officer at dpo@partnership.example.org" in text
    assert "The audit log: 7 years." in text
    assert "Article 6(1)(e)" in text and "Information Commissioner's Office" in text


def test_cookies_page_names_the_session_cookie_as_configured(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "SESSION_COOKIE_NAME", "__Host-session")
    soup = page(client.get(url_for(app, "site.cookies")))
    names = [c.get_text() for c in soup.select("#cookies code")]
    assert names == ["__Host-session", "survey_<link>"]
    assert "400 days" in visible_text(soup)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("role", "email"), [("signed out", ""), *ACCOUNTS],
                         ids=["signed out", *(role for role, _ in ACCOUNTS)])
def test_every_page_each_role_reaches_links_the_three_pages_in_its_footer(
        app: Flask, role: str, email: str) -> None:
    """One test a role (each on its own copy of the demo), so that the two workers share the
    roles out; signed out, the public pages."""
    client = app.test_client()
    if email:
        sign_in_demo(client, email)
        bodies = crawl(client, client.get("/").headers["Location"])
    else:
        public = [url_for(app, "auth.sign_in"), url_for(app, "auth.forgot_password"),
                  "/no-such-page", *(url_for(app, e) for e in FOOTER)]
        bodies = {url: client.get(url).get_data(as_text=True) for url in public}
    missing = {url: links for url, body in bodies.items()
               if (links := _footer_links(app, body)) != FOOTER}
    assert missing == {}
    assert len(bodies) >= PAGES_AT_LEAST[role], role
