"""The manager's year in Chromium, axe-core at 1280 and 320 CSS px on every page: bulk-chasing
the overdue voluntary groups, scheduling a sample's visits on one page, and a member with the
visit pack who cannot complete a visit before its date."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import CycleStatus, Finding, Role, Standard, Visit
from portal.services import cycles, moderation
from tests.support import factories
from tests.support.browser import assert_accessible, clear_session, sign_in_browser
from tests.support.mail import deliver
from tests.support.moderation_factories import AFTER_DEADLINE, VISIT_LINKS, drawn

VOLUNTARY = "Voluntary and community"


def _check(page: Any) -> None:
    """Zero axe violations at 1280 and at 320 CSS px (the 320 px reflow check is issue 13's)."""
    assert_accessible(page)  # both widths, once each
    page.set_viewport_size({"width": 1280, "height": 900})


def _all_mail_delivered(app: Flask) -> None:
    """Run the outbox delivery to completion (as cron would): afterwards the mailbox holds every
    message the pages queued, so an absence is proved, not waited for."""
    deliver(app)


def test_the_manager_exports_and_bulk_chases_the_overdue_voluntary_groups(
    page: Any, live_url: str, app: Flask, db: Session, tool: Any, mailbox: Any
) -> None:
    groups = [factories.agency(db, f"Group {n}", sector_name=VOLUNTARY,
                               email=f"lead@group{n}.example.org") for n in range(4)]
    factories.agency(db, "Abbey Surgery", sector_name="Health", email="lead@abbey.example.org")
    cycle = cycles.create_cycle(db, label="2020-21", cohort="A", deadline=date(2021, 1, 29),
                                now=datetime(2020, 11, 2))
    returns = cycles.open_cycle(db, cycle, now=datetime(2020, 11, 2), links=None)
    cycles.mark_submitted(db, next(r for r in returns if r.agency_id == groups[3].id),
                          now=datetime(2021, 1, 20))
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)

    page.goto(f"{live_url}/cycles/{cycle.id}")
    page.get_by_label("Status", exact=True).select_option("overdue")
    page.get_by_label("Sector", exact=True).select_option(label=VOLUNTARY)
    page.get_by_role("button", name="Apply filters").click()
    assert page.locator("#returns-count").inner_text() == "3 returns found"
    _check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this list (CSV)").click()
    listed = list(csv.DictReader(io.StringIO(
        Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert sorted(r["agency"] for r in listed) == ["Group 0", "Group 1", "Group 2"]

    page.get_by_role("link", name="Chase the agencies in this list that have not submitted").click()
    assert "3 agencies in this list have not submitted" in page.locator("#bulk-count").inner_text()
    assert page.locator("#bulk-message-count").inner_text().startswith("3 emails will be sent")
    _check(page)
    page.get_by_role("button", name="Send 3 emails").click()
    assert "3 chasers sent, one to each agency" in page.locator(
        ".govuk-notification-banner").inner_text()
    _check(page)
    _all_mail_delivered(app)
    assert sorted(str(m["To"]) for m in mailbox.messages) == [
        f"lead@group{n}.example.org" for n in range(3)]  # no one else: not group 3, not Abbey


def test_the_manager_schedules_all_visits_of_a_sample_on_one_page(
    page: Any, live_url: str, db: Session, tool: Any, mailbox: Any
) -> None:
    made, manager = drawn(db)
    made[0].return_.cycle.status = CycleStatus.CLOSED.value  # moderation runs after the close
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)  # type: ignore[attr-defined]
    page.goto(f"{live_url}/manager/")
    assert page.locator("#visits-2017-18").inner_text() == str(len(made))
    assert page.locator("#sample-2017-18").inner_text() == "Drawn"
    assert "Schedule the moderation visits" in page.locator("#next-2017-18").inner_text()
    _check(page)
    page.get_by_role("link", name="Visits to schedule").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Moderation sample and visits"
    page.get_by_role("button", name="Schedule the visits on one page").click()
    _check(page)
    page.get_by_role("button", name=f"Schedule {len(made)} visits and send the invitations").click()
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    _check(page)
    for n, visit in enumerate(made):
        agency = visit.return_.agency.name
        group = page.get_by_role("group", name=f"Date of the visit to {agency}")
        group.get_by_label("Day").fill(str(10 + n))
        group.get_by_label("Month").fill("6")
        group.get_by_label("Year").fill("2031")
        page.get_by_label(f"Start time (UK time) at {agency}").fill("10:00")
        page.get_by_label(f"Place of the visit to {agency}").fill("Civic Centre")
    page.get_by_role("button", name=f"Schedule {len(made)} visits and send the invitations").click()
    assert f"{len(made)} visits scheduled" in page.locator(
        ".govuk-notification-banner").inner_text()
    _check(page)
    db.expire_all()
    assert {db.get(Visit, v.id).status for v in made} == {"scheduled"}  # type: ignore[union-attr]


def test_a_member_downloads_the_visit_pack_and_cannot_complete_a_visit_before_its_date(
    page: Any, live_url: str, db: Session, tool: Any, mailbox: Any
) -> None:
    made, _ = drawn(db)
    visit = made[0]
    moderation.schedule_visit(db, visit, starts_at=datetime(2031, 6, 12, 9), place="Civic Centre",
                              now=AFTER_DEADLINE, links=VISIT_LINKS)
    db.add(Finding(visit_id=visit.id, standard_id=db.scalar(select(Standard.id).limit(1)),
                   moderated_grade="good", note="Seen", recorded_at=AFTER_DEADLINE))
    db.commit()
    assert visit.member is not None
    sign_in_browser(page, live_url, visit.member.email, factories.PASSWORD)
    page.goto(f"{live_url}/moderation/")
    _check(page)
    page.get_by_role("link", name=visit.return_.agency.name).click()
    _check(page)
    assert "from 12 June 2031, the day of the visit" in page.locator("#outcome-due").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the visit pack (PDF)").click()
    text = " ".join(p.extract_text() or "" for p in PdfReader(download.value.path()).pages)
    assert visit.return_.agency.name in text and "Questions worth probing" in text

    page.get_by_role("button", name="Continue recording your findings").click()
    page.get_by_label("Outcome of the visit").fill("Evidence confirmed")
    page.get_by_role("button", name="Save and check your findings").click()
    assert "from 12 June 2031, the day of the visit" in page.locator("#outcome-due").inner_text()
    assert page.get_by_role("button", name="Complete the visit and send the outcome").count() == 0
    _check(page)
    db.expire_all()
    assert db.get(Visit, visit.id).status == "scheduled"  # type: ignore[union-attr]


def test_the_manager_offers_dates_and_the_agency_picks_one(
    page: Any, live_url: str, db: Session, tool: Any, mailbox: Any
) -> None:
    made, manager = drawn(db)
    visit = made[0]
    agency = visit.return_.agency
    lead = factories.user(db, Role.AGENCY, agency=agency)
    db.commit()
    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)  # type: ignore[attr-defined]
    page.goto(f"{live_url}/manager/moderation/cycles/2017-18/schedule")
    page.get_by_role("button", name=f"Offer a choice of dates instead to {agency.name}").click()
    _check(page)
    for n, (day, start) in enumerate((("10", "10:00"), ("12", "14:30")), start=1):
        word = ("first", "second")[n - 1]
        group = page.get_by_role("group", name=f"Date of the {word} choice")
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill("6")
        group.get_by_label("Year").fill("2031")
        page.get_by_label(f"Start time of the {word} choice (UK time)").fill(start)
    page.get_by_label("Place").fill("Civic Centre")
    page.get_by_role("button", name="Offer these dates to the agency").click()
    assert f"Dates offered to {agency.name}" in page.locator(
        ".govuk-notification-banner").inner_text()
    assert "Awaiting the agency's choice" in page.locator("#awaiting").inner_text()
    _check(page)
    page.goto(f"{live_url}/manager/moderation/visits/{visit.id}")
    assert "10 June 2031 at 10:00am" in page.locator("#offered").inner_text()
    _check(page)

    page.goto("about:blank")  # leave the page: nothing of it may still be in flight
    clear_session(page)
    sign_in_browser(page, live_url, lead.email, factories.PASSWORD)
    page.goto(f"{live_url}/agency/")
    _check(page)
    page.get_by_role("link", name="Choose the date of the visit").click()
    page.get_by_role("button", name="Confirm this date").click()
    assert "Select the date that suits you" in page.locator(".govuk-error-summary").inner_text()
    _check(page)
    page.get_by_label("12 June 2031 at 2:30pm").check()
    page.get_by_role("button", name="Confirm this date").click()
    assert "Your moderation visit is on Thursday 12 June 2031 at 2:30pm" in page.locator(
        ".govuk-notification-banner").inner_text()
    _check(page)
    page.goto(f"{live_url}/agency/")  # the home keeps the booked visit, with its date
    assert "is on Thursday 12 June 2031 at 2:30pm at Civic Centre" in page.locator("#to-do").inner_text()
    _check(page)
    db.expire_all()
    chosen = db.get(Visit, visit.id)
    assert chosen is not None and chosen.status == "scheduled"
    assert chosen.member is not None and mailbox.to(chosen.member.email)
