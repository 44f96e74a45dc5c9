"""Browser fixtures: the app served from a thread, Debian's Chromium driven by Playwright, axe-core."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal import legal
from tests.support import CHROMIUM, require

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# The accessibility statement publishes these (portal/legal.py): it states what is tested here.
AXE_TAGS = list(legal.AXE_TAGS)
WIDE, NARROW, HEIGHT = legal.WIDE_PX, legal.NARROW_PX, 720
# What sticks out past the viewport, to name in a failure: the deepest elements wider than it.
WIDEST_ELEMENTS = """(limit) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 1
               && !(e.parentElement && e.parentElement.closest('.app-table-wrapper')))
  .slice(-5).map(e => `${e.tagName.toLowerCase()}.${e.className} ` +
                        `(${Math.round(e.getBoundingClientRect().right)} px)`)"""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_url(app: Flask) -> Iterator[str]:
    """The app served on 127.0.0.1 from a thread (same database and SMTP server as the tests)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    require(AXE.exists(), "axe-core is not installed (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(bypass_csp=True,  # lets the test inject axe-core
                                  viewport={"width": WIDE, "height": HEIGHT})
    made = context.new_page()
    made.set_default_timeout(15000)
    yield made
    # Let the page's last requests finish before the tables are emptied for the next test.
    made.wait_for_load_state("networkidle")
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: tags})", AXE_TAGS
    )
    return list(result["violations"])


def _assert_no_violations(page: Any, width: int) -> None:
    violations = axe_violations(page)
    summary = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
               f"{[n['target'] for n in v['nodes']][:3]})" for v in violations]
    assert violations == [], f"axe found at {width} px on {page.url}:\n" + "\n".join(summary)


def assert_reflows(page: Any) -> None:
    """At a 320 CSS px viewport the page needs no horizontal scrolling (WCAG 2.2 1.4.10)."""
    page.set_viewport_size({"width": NARROW, "height": HEIGHT})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > NARROW:
        wide = page.evaluate(WIDEST_ELEMENTS, NARROW)
        page.set_viewport_size({"width": WIDE, "height": HEIGHT})
        raise AssertionError(f"{page.url} is {width} px wide at {NARROW} px; widest: {wide}")


def assert_accessible(page: Any) -> None:
    """Zero axe violations at 1280 px, then no horizontal scrolling and zero violations at 320 px
    (every browser test checks both through this one helper)."""
    page.set_viewport_size({"width": WIDE, "height": HEIGHT})
    _assert_no_violations(page, WIDE)
    assert_reflows(page)
    try:
        _assert_no_violations(page, NARROW)
    finally:
        page.set_viewport_size({"width": WIDE, "height": HEIGHT})


def sign_in_browser(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
