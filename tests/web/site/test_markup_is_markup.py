"""Markup that is markup: no page shows HTML as text (a banner built by joining strings showed
`<p class="govuk-notification-banner__heading">` during every mail outage) or escaped twice
(`&lt;`). Every page each demo role reaches is read, with mail delivery paused (its reason
holding markup-like text) and refused mail waiting, so the mail banners are on the manager's."""

from __future__ import annotations

from datetime import datetime

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy.orm import Session

from portal.models import MailPause
from portal.services import mail
from portal.services.mail import Email
from tests.support import visible_text
from tests.support.crawling import ACCOUNTS, PAGES_AT_LEAST, crawl, sign_in_demo
from tests.support.crawling import demo as demo

SHOWN_AS_TEXT = ("<p class=", "<div", "&lt;", "&amp;")


REASON = "the server refused to relay the message: 550 5.7.1 <lead@x.org> Unable to relay & no"


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("role", "email"), ACCOUNTS, ids=[role for role, _ in ACCOUNTS])
def test_no_page_shows_html_or_escaped_markup_as_text(
        app: Flask, db: Session, role: str, email: str) -> None:
    """One test a role (each on its own copy of the demo), so that the two workers share the
    roles out; the mail banners show on the manager's pages."""
    db.add(MailPause(reason=REASON, since=datetime(2026, 11, 30, 9)))
    refused = mail.queue_email(db, Email(to="a@example.org", subject="S", text="T"), kind="t",
                               now=datetime(2026, 11, 30, 9))
    refused.status = "failed"
    db.commit()
    client = app.test_client()
    sign_in_demo(client, email)
    texts = {url: visible_text(BeautifulSoup(body, "lxml"))
             for url, body in crawl(client, client.get("/").headers["Location"]).items()}
    assert len(texts) >= PAGES_AT_LEAST[role]
    if role == "manager":
        assert any(f"Email is not being delivered: {REASON}, since" in t for t in texts.values())
        assert any("1 email was refused by the mail server" in t for t in texts.values())
    shown = {page: marker for page, text in texts.items() for marker in SHOWN_AS_TEXT
             if marker in text}
    assert shown == {}
