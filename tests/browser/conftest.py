"""Browser fixtures: the app served from a thread, Debian's Chromium driven by Playwright, axe-core."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.support import CHROMIUM, require
from tests.support.browser import AXE, HEIGHT, WIDE

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


WAIT_MS = 90_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    require(AXE.exists(), "axe-core is not installed (npm ci)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(bypass_csp=True,  # lets the test inject axe-core
                                  viewport={"width": WIDE, "height": HEIGHT})
    made = context.new_page()
    # Generous waits (readiness, not timing): on a loaded machine a page that renders in 50 ms
    # idle may take seconds, and Playwright's own defaults (30 s, 5 s for expect) flaked.
    made.set_default_timeout(WAIT_MS)
    made.set_default_navigation_timeout(WAIT_MS)
    yield made
    # Let the page's last requests finish before the tables are emptied for the next test.
    made.wait_for_load_state("networkidle")
    context.close()
