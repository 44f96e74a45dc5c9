"""The manager runs a cycle on the web: create, preview, open, close, escalate, Chair meeting."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Cycle, Escalation, OutboxMessage, Return, Role
from portal.services import cycles
from tests.support import factories, page_text, sign_in, submit_form, url_for
from tests.support.cycle_pages import tables, text_of
from tests.support.mail import Mailbox

NOW = datetime(2018, 4, 3, 9, 0)


def _manager(client: FlaskClient, db: Session) -> Any:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    return manager


def _closed_cycle_with_non_returner(db: Session) -> Any:
    """Cycle 2017-18 (cohort B) closed with one non-returner, which cohort A's cycle carries."""
    late = factories.agency(db, "Riverside Youth Club", sector_name="Voluntary and community",
                            cohort="B", email="lead@riverside.example.org")
    factories.agency(db, "Hillside Football Club", sector_name="Sports and culture", cohort="B")
    cycle = cycles.create_cycle(db, label="2017-18", cohort="B", deadline=date(2017, 6, 30),
                                now=datetime(2017, 4, 3))
    returns = cycles.open_cycle(db, cycle, now=datetime(2017, 4, 3), links=None)
    for r in returns:
        if r.agency_id != late.id:
            cycles.mark_submitted(db, r, now=datetime(2017, 6, 1))
    cycles.close_cycle(db, cycle, now=datetime(2017, 9, 1))
    db.commit()
    return late


def test_manager_creates_previews_and_opens_a_cycle_and_agencies_are_invited(
    app: Flask, client: FlaskClient, db: Session, tool: Any, mailbox: Mailbox
) -> None:
    late = _closed_cycle_with_non_returner(db)
    factories.agency(db, "Abbeydale Primary School", sector_name="Schools and colleges",
                     cohort="A", email="head@abbeydale.example.org")
    factories.agency(db, "Closed Nursery", sector_name="Early years", cohort="A", active=False)
    _manager(client, db)
    assert 'href="/cycles/"' in client.get(url_for(app, "manager.home")).get_data(as_text=True)

    response = submit_form(client, url_for(app, "cycles.new"), {
        "label": "2018-19", "cohort": "A", "deadline": ["29", "6", "2018"],
        "final_deadline": ["", "", ""], "tool_version": str(tool.id)})
    assert response.status_code == 302, text_of(response.get_data(as_text=True))[:2000]
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    issue = {row[0]: row for row in tables(page)["issue-list"][1:]}
    assert set(issue) == {"Abbeydale Primary School", "Riverside Youth Club"}
    assert issue["Riverside Youth Club"][4] == "Carried over"
    assert issue["Abbeydale Primary School"][4] == "Cohort A"
    assert "27 July 2018" in text_of(page)  # final deadline: 20 working days on

    opened = submit_form(client, preview_url.replace("/preview", "/open"), {},
                         get_url=preview_url)
    assert opened.status_code == 302
    dashboard = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "2 returns issued (1 carried over). 2 emails are queued to be sent" in text_of(dashboard)
    # one email: the invitation's link sets the new user's password first
    [welcome] = mailbox.to("head@abbeydale.example.org")
    assert "/set-password/" in welcome.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    invitation = next(m for m in mailbox.to("lead@riverside.example.org")
                      if "2018-19" in m["Subject"])
    body = invitation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "did not return the Compact Audit 2017-18" in body
    escalation = db.scalar(select(Escalation).where(Escalation.agency_id == late.id))
    assert escalation is not None and escalation.carried_to is not None
    assert escalation.carried_to.label == "2018-19"


def test_create_cycle_form_explains_what_is_wrong(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    _manager(client, db)
    response = submit_form(client, url_for(app, "cycles.new"), {
        "label": "", "deadline": ["31", "2", "2018"], "final_deadline": ["1", "1", "2018"],
        "tool_version": str(tool.id)})
    text = text_of(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Enter a label for the cycle" in text
    assert "Select cohort A or B" in text
    assert "Deadline must be a real date" in text
    missing = submit_form(client, url_for(app, "cycles.new"), {"label": "2018-19", "cohort": "A",
                                                  "tool_version": str(tool.id)})
    assert "Enter the deadline" in text_of(missing.get_data(as_text=True))
    order = submit_form(client, url_for(app, "cycles.new"), {
        "label": "2018-19", "cohort": "A", "deadline": ["29", "6", "2018"],
        "final_deadline": ["1", "6", "2018"], "tool_version": str(tool.id)})
    assert "The final deadline must be the same as or after the deadline" in text_of(
        order.get_data(as_text=True))
    assert db.scalar(select(Cycle)) is None


def test_close_is_refused_before_the_final_deadline(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    factories.agency(db, cohort="A")
    today = datetime.now().date()
    cycle = cycles.create_cycle(db, label="current", cohort="A", deadline=today, now=NOW,
                                final_deadline=date(today.year + 1, 1, 1))
    cycles.open_cycle(db, cycle, now=NOW, links=None)
    db.commit()
    _manager(client, db)
    dashboard = client.get(url_for(app, "cycles.dashboard", cycle_id=cycle.id)).get_data(as_text=True)
    assert "Close this cycle" not in dashboard
    response = submit_form(client, url_for(app, "cycles.close", cycle_id=cycle.id), {})
    assert response.status_code == 200
    assert f"can close after its final deadline, 1 January {today.year + 1}" in text_of(
        response.get_data(as_text=True))
    db.expire_all()
    assert db.get(Cycle, cycle.id).status == "open"  # type: ignore[union-attr]
    assert db.scalar(select(Escalation)) is None


def test_manager_closes_a_cycle_and_records_a_chair_meeting(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    twice = _closed_cycle_with_non_returner(db)
    factories.agency(db, "Abbeydale Primary School", sector_name="Schools and colleges",
                     cohort="A")
    cycle = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=NOW)
    cycles.open_cycle(db, cycle, now=NOW, links=None)
    db.commit()
    manager = _manager(client, db)
    assert "Close this cycle" in page_text(client.get(url_for(app, "cycles.dashboard",
                                                    cycle_id=cycle.id)))

    closed = submit_form(client, url_for(app, "cycles.close", cycle_id=cycle.id), {})
    assert closed.status_code == 302
    page = client.get(closed.headers["Location"]).get_data(as_text=True)
    assert "2 returns escalated, 1 need a Chair meeting" in text_of(page)
    rows = {row[0]: row for row in tables(page)["escalations"][1:]}
    assert "Chair meeting needed" in rows["Riverside Youth Club Voluntary and community"][3]
    assert rows["Abbeydale Primary School Schools and colleges"][3].startswith("Not required")

    escalation = db.scalar(select(Escalation).where(Escalation.cycle_id == cycle.id,
                                                    Escalation.agency_id == twice.id))
    assert escalation is not None
    url = url_for(app, "cycles.chair_meeting", escalation_id=escalation.id)
    blank = submit_form(client, url, {"meeting_on": ["", "", ""], "outcome": ""})
    assert "Enter the date of the meeting" in text_of(blank.get_data(as_text=True))
    assert "Enter the outcome of the meeting" in text_of(blank.get_data(as_text=True))
    saved = submit_form(client, url, {"meeting_on": ["14", "9", "2018"],
                                      "outcome": "=Agreed to return by October; named lead"})
    assert saved.status_code == 302
    db.expire_all()
    assert escalation.chair_meeting_on == date(2018, 9, 14)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "escalation.chair_meeting"))
    assert event is not None and event.user_id == manager.id

    exported = client.get(url_for(app, "cycles.escalations_csv", cycle=cycle.id))
    assert exported.headers["Content-Disposition"] == "attachment; filename=escalations.csv"
    lines = io.StringIO(exported.get_data(as_text=True))
    rows_csv = {r["agency"]: r for r in csv.DictReader(lines)}
    assert set(rows_csv) == {"Riverside Youth Club", "Abbeydale Primary School"}
    assert rows_csv["Riverside Youth Club"]["chair_meeting_required"] == "yes"
    assert rows_csv["Riverside Youth Club"]["chair_meeting_on"] == "2018-09-14"
    # A spreadsheet must not run an outcome as a formula.
    assert rows_csv["Riverside Youth Club"]["chair_meeting_outcome"].startswith("'=Agreed")
    assert rows_csv["Abbeydale Primary School"]["chair_meeting_required"] == "no"


def test_open_escalations_filter_hides_resolved_ones(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    late = _closed_cycle_with_non_returner(db)
    cycle = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=NOW)
    returns = cycles.open_cycle(db, cycle, now=NOW, links=None)
    cycles.mark_submitted(db, next(r for r in returns if r.agency_id == late.id),
                          now=datetime(2018, 7, 2))
    db.commit()
    _manager(client, db)
    everything = text_of(client.get(url_for(app, "cycles.escalations_page")).get_data(as_text=True))
    assert "Resolved Returned 2 July 2018" in everything
    assert "1 escalation;" in everything
    only_open = text_of(client.get(url_for(app, "cycles.escalations_page",
                                           open="yes")).get_data(as_text=True))
    assert "0 escalations;" in only_open


def test_a_submitted_cycle_return_is_never_escalated(db: Session, tool: Any) -> None:
    agency = factories.agency(db, cohort="A")
    cycle = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=NOW)
    [return_] = cycles.open_cycle(db, cycle, now=NOW, links=None)
    cycles.mark_submitted(db, return_, now=datetime(2018, 6, 1))
    result = cycles.close_cycle(db, cycle, now=datetime(2018, 9, 1))
    assert result.escalations == []
    assert db.scalar(select(Return).where(Return.agency_id == agency.id)).status == "submitted"  # type: ignore[union-attr]
    assert db.scalar(select(OutboxMessage)) is None  # history opens send nothing


def test_preview_warns_when_the_previous_cycle_is_still_open(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    factories.agency(db, "Greenacres Youth Club", cohort="B")
    factories.agency(db, "Hallam Academy", cohort="A")
    earlier = cycles.create_cycle(db, label="2017-18", cohort="B", deadline=date(2017, 6, 30),
                                  now=NOW)
    cycles.open_cycle(db, earlier, now=NOW, links=None)
    draft = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=NOW)
    db.commit()
    _manager(client, db)
    page = text_of(client.get(url_for(app, "cycles.preview", cycle_id=draft.id)).get_data(as_text=True))
    assert "Cycle 2017-18 is still open" in page
    assert "2 (1 carried over from last cycle)" in page
