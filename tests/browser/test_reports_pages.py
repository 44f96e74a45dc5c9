"""A MESC member reads a cycle's report in Chromium: accessible, filterable, downloadable."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import ReturnStatus, Role
from portal.services.reporting import close_and_publish, republish
from tests.support import factories, report_fixture
from tests.support.browser import assert_accessible, sign_in_browser
from tests.support.report_fixture import AFTER, CURRENT


def test_committee_member_reads_filters_and_downloads_a_report(
    page: Any, live_url: str, db: Session, tool: Any
) -> None:
    known = report_fixture.build(db, tool)
    user = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in_browser(page, live_url, user.email, factories.PASSWORD)
    page.get_by_role("link", name=f"MESC report {CURRENT}").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"MESC report {CURRENT}"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page)
    assert page.get_by_role("table", name=f"Weakness of each standard in each sector, {CURRENT}")\
        .get_by_role("columnheader", name="GP practices").is_visible()
    # At 320 px the wide grid scrolls inside its own (keyboard-focusable) region; the page itself
    # never scrolls sideways (assert_accessible, which ends back at 1280 px).
    page.set_viewport_size({"width": 320, "height": 640})
    region = page.get_by_role("region", name=f"Weakness of each standard in each sector, {CURRENT}")
    assert region.evaluate("e => e.clientWidth <= 320 && e.scrollWidth > e.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Sector", exact=True).select_option("Health")
    page.get_by_role("button", name="Show sector").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"MESC report {CURRENT}: Health"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report as a PDF").click()
    assert download.value.suggested_filename == f"mesc-report-{CURRENT}-health.pdf"
    page.get_by_label("Agency", exact=True).select_option(str(known.agencies["H1"].id))
    page.get_by_role("button", name="Compare").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Health agency H1"
    assert_accessible(page)


def test_a_manager_reads_an_earlier_published_version_of_a_closed_cycles_report(
    page: Any, live_url: str, db: Session, tool: Any
) -> None:
    known = report_fixture.build(db, tool)
    cycle = known.cycle
    close_and_publish(db, cycle, now=AFTER)
    known.returns["H1"].status = ReturnStatus.REOPENED.value  # as the reopen flow leaves it
    db.flush()
    republish(db, cycle, reason="H1's return was reopened", now=AFTER)
    known.returns["H2"].status = ReturnStatus.REOPENED.value  # changed again, not republished
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)
    page.goto(f"{live_url}/reports/{CURRENT}")
    published = page.locator("#published").inner_text()
    assert "show version 2 of the report" in published and "Republish the report" in published
    assert_accessible(page)
    page.get_by_role("link", name="Show version 1").click()
    assert "This is an earlier version: the latest is version 2" in page.locator(
        "#published").inner_text()
    assert_accessible(page)
    page.get_by_label("Sector", exact=True).select_option("Health")
    page.get_by_role("button", name="Show sector").click()
    assert "show version 1 of the report" in page.locator("#published").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report as a PDF").click()
    assert download.value.suggested_filename == f"mesc-report-{CURRENT}-health-published-v1.pdf"
