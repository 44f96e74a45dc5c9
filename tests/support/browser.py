"""Browser test helpers: axe-core at 1280 and 320 CSS px, reflow, and signing in (the fixtures
that start the app and Chromium are in tests/browser/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from portal import legal
from tests.support import second_factor

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

def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the current page."""
    if page.evaluate("() => typeof axe === 'undefined'"):  # once per document, not per run
        page.add_script_tag(path=str(AXE))
    # Only the violations come back: axe then details one node of each passing rule, not
    # every one, and the passes are not serialised to Python (same rules, same violations).
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: tags, resultTypes: ['violations']}))"
        ".violations", AXE_TAGS
    )
    return list(violations)


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
    pass_second_factor_browser(page, email)


def pass_second_factor_browser(page: Any, email: str) -> None:
    """What the gate asks after the password: set up an authenticator app (reading the key the
    page shows, as a person types it into their app, and keeping the recovery codes), or enter
    the app's current code."""
    if "/account/security/set-up" in page.url:
        enrolment = second_factor.enrolled(email, page.locator("#setup-key").text_content()
                                           .replace(" ", "").strip())
        code, _ = second_factor.next_code(email)
        page.get_by_label("Code from your authenticator app").fill(code)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        enrolment.recovery_codes = [c.strip() for c in
                                    page.locator("#recovery-codes code").all_text_contents()]
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    elif "/sign-in/second-factor" in page.url:
        code, recovery = second_factor.next_code(email)
        if recovery:
            page.get_by_role("link", name="use a recovery code").click()
        page.get_by_label("Recovery code" if recovery else "Code from your authenticator app"
                          ).fill(code)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


def clear_session(page: Any) -> None:
    """Forget the browser's cookies, as a new person at the keyboard: once nothing is in flight,
    since a late response (the favicon's) would set the session cookie again."""
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
