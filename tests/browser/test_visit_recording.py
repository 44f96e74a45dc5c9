"""Issue 27 #2 and #4 in Chromium: a Board member records a visit's 12 findings and the outcome
in a handful of page loads (and is refused, by name, while one is missing); the manager's typed
scheduling rows survive a side page. Every page passes axe at 1280 and 320 px."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.models import Visit
from portal.services import moderation
from tests.support import factories
from tests.support.browser import assert_accessible, sign_in_browser
from tests.support.moderation_factories import action, drawn, grade

HELD = datetime(2018, 3, 12, 10)  # long past: the outcome can be recorded


class Loads:
    """Counts the page loads (main-frame navigations) the member makes."""

    def __init__(self, page: Any) -> None:
        self.count = 0
        page.on("framenavigated", lambda frame: self._seen(page, frame))

    def _seen(self, page: Any, frame: Any) -> None:
        if frame == page.main_frame:
            self.count += 1


def _held_visits(db: Session) -> tuple[list[Visit], Any]:
    """Two held visits of one member; the first agency has an action plan for question 1.3."""
    made, _ = drawn(db)
    for visit in made:
        visit.status, visit.starts_at, visit.member_id = "scheduled", HELD, made[0].member_id
    grade(db, made[0].return_, {"1.1": "good", "1.2": "good", "1.3": "requires_improvement"})
    action(db, made[0].return_, "1.3", "Train the trustees in safer recruitment", "Chair", None)
    db.commit()
    return made, made[0].member


def _fill(page: Any, standard_ids: list[int], outcome: str) -> None:
    for standard_id in standard_ids:
        page.locator(f'input[name="grade_{standard_id}"][value="good"]').check()
    page.get_by_label("Outcome of the visit").fill(outcome)


def test_a_member_records_12_findings_and_the_outcome_in_at_most_6_page_loads(
    page: Any, live_url: str, db: Session, tool: object
) -> None:
    (visit, _), member = _held_visits(db)
    ids = [r.standard.id for r in moderation.review(db, visit)]
    assert len(ids) == 12
    sign_in_browser(page, live_url, member.email, factories.PASSWORD)
    loads = Loads(page)

    page.goto(f"{live_url}/moderation/")
    page.get_by_role("link", name=visit.return_.agency.name).click()
    assert_accessible(page)
    page.get_by_role("button", name="Record your findings").click()
    plan = page.locator(f"#standard-{ids[0]} ~ .govuk-summary-card").first
    assert "Train the trustees in safer recruitment" in plan.inner_text()  # beside standard 1
    _fill(page, ids[:11], "Evidence confirmed; grades were modest.")
    page.locator(f'input[name="grade_{ids[11]}"][value="not_looked_at"]').check()
    page.locator(f"#note_{ids[11]}").fill("The lead was called away before we reached it")
    assert_accessible(page)
    page.get_by_role("button", name="Save and check your findings").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your findings"
    assert page.locator(".govuk-tag--red").count() == 0  # nothing unrecorded
    assert_accessible(page)
    page.get_by_role("button", name="Complete the visit and send the outcome").click()
    assert "completed" in page.locator(".govuk-notification-banner").inner_text()

    assert loads.count == 5, loads.count  # home, visit, record, check, completed visit (<= 6)
    assert page.locator("main form").count() == 0  # read-only from now on
    assert "Not looked at" in page.locator("main").inner_text()
    assert_accessible(page)
    db.expire_all()
    done = db.get(Visit, visit.id)
    assert done is not None and done.status == "completed" and len(done.findings) == 12


def test_a_member_is_refused_completion_by_name_while_a_standard_is_missing(
    page: Any, live_url: str, db: Session, tool: object
) -> None:
    (_, visit), member = _held_visits(db)
    reviews = moderation.review(db, visit)
    ids = [r.standard.id for r in reviews]
    sign_in_browser(page, live_url, member.email, factories.PASSWORD)
    page.goto(f"{live_url}/moderation/visits/{visit.id}/record")
    _fill(page, ids[:6] + ids[7:], "Mostly confirmed")
    page.get_by_role("button", name="Save and check your findings").click()
    assert "1 of 12 standards is not recorded yet" in page.locator(".govuk-warning-text").inner_text()
    page.get_by_role("button", name="Complete the visit and send the outcome").click()
    summary = page.locator(".govuk-error-summary")
    missing = reviews[6].standard
    assert summary.locator("a").all_inner_texts() == [
        f'Record standard {missing.code}, {missing.title}: select a grade, or select '
        '"Not looked at" and say why']
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.locator("a").click()  # to the missing standard on the recording page
    assert page.url.endswith(f"/record#grade_{ids[6]}")
    page.locator(f'input[name="grade_{ids[6]}"][value="inadequate"]').check()
    page.get_by_role("button", name="Save and check your findings").click()
    page.get_by_role("button", name="Complete the visit and send the outcome").click()
    db.expire_all()
    assert db.get(Visit, visit.id).status == "completed"  # type: ignore[union-attr]


def test_the_scheduling_page_keeps_typed_rows_after_a_side_page(
    page: Any, live_url: str, db: Session, tool: object
) -> None:
    (first, second), manager = drawn(db)
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)  # type: ignore[attr-defined]
    url = f"{live_url}/manager/moderation/cycles/2017-18/schedule"
    page.goto(url)
    typed = {first.id: ("10", "Civic Centre, room 1"), second.id: ("11", "Town Hall")}
    for visit_id, (day, place) in typed.items():
        page.locator(f"#day_{visit_id}-day").fill(day)
        page.locator(f"#day_{visit_id}-month").fill("6")
        page.locator(f"#day_{visit_id}-year").fill("2031")
        page.locator(f"#start_{visit_id}").fill("10:00")
        page.locator(f"#place_{visit_id}").fill(place)
    assert_accessible(page)
    agency = first.return_.agency.name
    page.get_by_role("button", name=f"Offer a choice of dates instead to {agency}").click()
    assert page.get_by_role("heading", level=1).count() == 1
    assert "/offer" in page.url
    assert_accessible(page)
    page.get_by_role("link", name="Back").click()  # changed their mind: straight back

    assert page.locator("#app-kept-rows").is_visible()
    for visit_id, (day, place) in typed.items():
        assert page.locator(f"#day_{visit_id}-day").input_value() == day
        assert page.locator(f"#day_{visit_id}-year").input_value() == "2031"
        assert page.locator(f"#start_{visit_id}").input_value() == "10:00"
        assert page.locator(f"#place_{visit_id}").input_value() == place
    assert_accessible(page)

    # This time the offer is made: the other row is still as typed when the page comes back.
    page.get_by_role("button", name=f"Offer a choice of dates instead to {agency}").click()
    group = page.get_by_role("group", name="Date of the first choice")
    group.get_by_label("Day").fill("10")
    group.get_by_label("Month").fill("6")
    group.get_by_label("Year").fill("2031")
    page.get_by_label("Start time of the first choice (UK time)").fill("10:00")
    page.get_by_label("Place").fill("Civic Centre")
    page.get_by_role("button", name="Offer these dates to the agency").click()
    assert page.url == url
    assert page.locator(f"#place_{second.id}").input_value() == "Town Hall"
    assert page.locator(f"#day_{second.id}-day").input_value() == "11"
    page.get_by_role("button", name="Schedule 1 visit and send the invitations").click()
    assert "scheduled" in page.locator(".govuk-notification-banner").inner_text()
    page.goto(url)
    assert page.locator("#app-kept-rows").count() == 0  # saved, so nothing is put back
