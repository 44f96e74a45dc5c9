"""The cycle pages in Chromium: accessible (axe, WCAG 2.2 AA), the dashboard's chart included."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.models import Role
from portal.services import cycles
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in_browser

NOW = datetime(2018, 4, 3, 9, 0)


def test_cycle_pages_are_accessible(page: Any, live_url: str, db: Session, tool: Any) -> None:
    for n, sector in enumerate(["Health", "Voluntary and community", "Early years"]):
        factories.agency(db, f"Agency {n}", sector_name=sector, cohort="A")
    factories.agency(db, "Next cohort agency", cohort="B")
    cycle = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=NOW)
    returns = cycles.open_cycle(db, cycle, now=NOW, links=None)
    cycles.mark_submitted(db, returns[0], now=datetime(2018, 6, 1))
    cycles.close_cycle(db, cycle, now=datetime(2018, 9, 1))
    draft = cycles.create_cycle(db, label="2019-20", cohort="B", deadline=date(2019, 6, 28),
                                now=NOW)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)
    escalation_id = cycles.list_escalations(
        db, cycles.EscalationFilter())[0].id
    for path, heading in [
        ("/cycles/", "Audit cycles"),
        (f"/cycles/{cycle.id}", "Cycle 2018-19"),
        (f"/cycles/{draft.id}/preview", "Check who will be issued the 2019-20 audit"),
        ("/cycles/new", "Create a cycle"),
        ("/cycles/escalations", "Escalations"),
        (f"/cycles/escalations/{escalation_id}", "Chair meeting with Agency 1"),
    ]:
        page.goto(f"{live_url}{path}")
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert_accessible(page)
    page.goto(f"{live_url}/cycles/new")
    page.get_by_role("button", name="Continue").click()
    assert "Enter a label for the cycle" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
