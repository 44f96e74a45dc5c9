"""The MESC report page at 1280 and 320 CSS px with every sector of a real partnership: the grid
fits the desktop page with every sector's column in view, and on a phone scrolls inside its own
labelled, keyboard-focusable region while the page itself never scrolls sideways."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import DEFAULT_SECTORS, Role
from tests.support import factories, report_fixture
from tests.support.browser import NARROW, WIDE, assert_accessible, sign_in_browser
from tests.support.report_fixture import CURRENT

GRID = f"Weakness of each standard in each sector, {CURRENT}"
PAGE_WIDTH = "() => document.documentElement.scrollWidth"
IN_VIEW = """(e) => { const r = e.getBoundingClientRect();
  const box = e.closest('.app-table-wrapper').getBoundingClientRect();
  return r.width > 0 && r.left >= box.left - 1 && r.right <= box.right + 1
         && r.right <= window.innerWidth; }"""


def _every_sector_report(page: Any, live_url: str, db: Session, tool: Any) -> None:
    known = report_fixture.build(db, tool)
    report_fixture.add_every_sector(db, tool, known)
    user = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in_browser(page, live_url, user.email, factories.PASSWORD)
    page.goto(f"{live_url}/reports/{CURRENT}")


def test_the_grid_of_nine_sectors_fits_the_page_at_1280_px(
    page: Any, live_url: str, db: Session, tool: Any
) -> None:
    _every_sector_report(page, live_url, db, tool)
    page.set_viewport_size({"width": WIDE, "height": 900})
    assert page.evaluate(PAGE_WIDTH) <= WIDE
    region = page.get_by_role("region", name=GRID)
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth"), "the grid scrolls at 1280 px"
    for sector in DEFAULT_SECTORS:
        header = region.get_by_role("columnheader", name=sector, exact=True)
        assert header.evaluate(IN_VIEW), f"{sector} is not in view at {WIDE} px"
    faith = region.get_by_role("row", name="6. Safer recruitment").get_by_role("cell").nth(
        DEFAULT_SECTORS.index("Faith groups"))
    assert " ".join(faith.inner_text().split()) == "Too few to compare 1 agency"
    assert_accessible(page)  # axe at 1280 and 320 px, and no sideways scrolling at 320


def test_at_320_px_every_sector_is_reachable_in_the_grids_labelled_region(
    page: Any, live_url: str, db: Session, tool: Any
) -> None:
    _every_sector_report(page, live_url, db, tool)
    page.set_viewport_size({"width": NARROW, "height": 640})
    assert page.evaluate(PAGE_WIDTH) <= NARROW
    region = page.get_by_role("region", name=GRID)
    assert region.get_attribute("tabindex") == "0"
    region.focus()
    assert region.evaluate("e => document.activeElement === e")
    assert region.evaluate(f"e => e.clientWidth <= {NARROW} && e.scrollWidth > e.clientWidth")
    for sector in DEFAULT_SECTORS:
        header = region.get_by_role("columnheader", name=sector, exact=True)
        header.scroll_into_view_if_needed()
        assert header.evaluate(IN_VIEW), f"{sector} cannot be scrolled into view at {NARROW} px"
    assert page.evaluate(PAGE_WIDTH) <= NARROW
