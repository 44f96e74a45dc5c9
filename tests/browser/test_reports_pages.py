"""A MESC member reads a cycle's report in Chromium: accessible, filterable, downloadable."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import Role
from tests import factories
from tests.browser.conftest import assert_accessible, sign_in_browser
from tests.integration import report_fixture
from tests.integration.report_fixture import CURRENT


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
    page.set_viewport_size({"width": 320, "height": 640})
    assert_accessible(page)
    # At 320 px the wide grid scrolls inside its own (keyboard-focusable) region.
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
