"""Walking the site as each demo role: the demo partnership (`demo`, a fixture), the pages a role
reaches from its home page, and the POST forms on them. The fuzz and hostile-text tests share it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.services.demo import DEMO_DOMAIN, DEMO_PASSWORD, load_demo
from tests.support import empty_for_a_load, pass_second_factor, submit_form, url_for
from tests.support.snapshots import restore_or_build

PAGES_PER_ROLE = 80
ACCOUNTS = [("agency", f"agency@{DEMO_DOMAIN}"), ("moderator", f"member1@{DEMO_DOMAIN}"),
            ("committee", f"mesc@{DEMO_DOMAIN}"), ("manager", f"manager@{DEMO_DOMAIN}")]
# What each role reaches in the demo, at least (3 December 2026: forms 6, 1, 2 and 22; pages 12,
# 10, 21 and 73, and 6 public ones). The NUL and fuzz tests post to every distinct POST form (by
# the shape of its action), the footer and markup tests read every page, a test a role; a crawl
# that stops short fails rather than proving less.
FORMS_AT_LEAST = {"agency": 5, "moderator": 1, "committee": 2, "manager": 15}
PAGES_AT_LEAST = {"signed out": 6, "agency": 10, "moderator": 8, "committee": 15, "manager": 50}
SKIP = re.compile(r"^/(assets|sign-out|sessions/)|\.(pdf|xlsx|csv|docx|ics)$|/(pdf|spreadsheet|"
                  r"download|export)(\?|$)")


def sign_in_demo(client: FlaskClient, email: str) -> None:
    """Sign in as a demo account: its password, then (staff) a code from the demo's key."""
    response = submit_form(client, url_for(client.application, "auth.sign_in"),
                           {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, email
    pass_second_factor(client, email)


@lru_cache(maxsize=16)
def parsed(body: str) -> BeautifulSoup:
    """A crawled page parsed once (lxml: a tenth of html.parser's time) for its links and forms:
    the crawl, `forms_on` and a test reading a form's values share the one tree (do not change
    it). A test checking the text a user reads parses the page itself."""
    return BeautifulSoup(body, "lxml")


def forms_on(page_url: str, body: str) -> Iterator[tuple[str, dict[str, str]]]:
    """(action, {field name: input type}) of every POST form on a page, parsed."""
    for form in parsed(body).find_all("form"):
        if str(form.get("method") or "get").lower() != "post":
            continue
        fields: dict[str, str] = {}
        for field in form.find_all(["input", "textarea", "select"]):
            name = field.get("name")
            if name and name != "csrf_token":
                fields[str(name)] = "file" if field.get("type") == "file" else field.name
        yield str(form.get("action") or page_url), fields


def crawl(client: FlaskClient, start: str) -> dict[str, str]:
    """Same-site pages reachable from `start` (GET only): two of each shape, PAGES_PER_ROLE at most."""
    seen: dict[str, str] = {}
    shapes: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", url.split("?")[0])
        if url in seen or SKIP.search(url) or shapes.get(shape, 0) >= 2:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} gave {response.status_code}"
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        seen[url] = body
        for link in parsed(body).find_all("a", href=True):
            href = str(link["href"]).split("#")[0]
            if href.startswith("/") and not href.startswith("//") and href not in seen:
                queue.append(href)
    return seen


DEMO_NOW = datetime(2026, 11, 30, 12)


@pytest.fixture
def demo(app: Flask, db: Session) -> None:
    """The demo partnership told at DEMO_NOW: loaded once per process, then copied."""
    def build() -> None:
        empty_for_a_load(app, db)
        load_demo(db, now=DEMO_NOW)
        db.commit()

    restore_or_build(db, ("demo", DEMO_NOW), build, password=DEMO_PASSWORD)
