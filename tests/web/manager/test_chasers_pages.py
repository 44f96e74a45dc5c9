"""The manager's chaser pages: stages, wording with preview, history, sending now, bounces."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role, utcnow
from portal.services.chasers import stages_of
from portal.services.common import add_working_days
from portal.services.cycles import create_cycle, open_cycle
from tests.support import factories, page, page_text, sign_in, submit_form, url_for
from tests.support.chaser_helpers import (
    Arranged,
    address_of,
    chasers_send,
    kind_of,
    open_cycle_with,
    subject_of,
    submit,
)

AGENCY = "Riverside NHS Trust"


def _manager(client: FlaskClient, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER, email="manager@partnership.example.org")
    db.commit()
    sign_in(client, manager)


def _cycle_due_today(db: Session, names: list[str], *, overdue: bool = False) -> Arranged:
    today = utcnow().date()
    deadline = today - timedelta(days=7) if overdue else add_working_days(today, 3)
    return open_cycle_with(db, names, deadline=deadline, label=f"{today.year}-x")


def test_the_cycle_page_lists_stages_with_their_dates_and_returns(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    _manager(client, db)
    arranged = open_cycle_with(db, [AGENCY])

    page = client.get(url_for(app, "chasers.cycle", cycle_id=arranged.cycle.id)).get_data(as_text=True)

    assert "10 working days before the deadline" in page and "11 May 2018" in page
    assert "5 working days after the deadline" in page and "4 June 2018" in page
    assert "On the final deadline" in page and "25 June 2018" in page
    assert AGENCY in page and "Not chased" in page
    assert client.get(url_for(app, "chasers.index")).status_code == 200


def test_other_roles_cannot_see_chasers(app: Flask, client: FlaskClient, db: Session, tool: Any) -> None:
    arranged = open_cycle_with(db, [AGENCY])
    member = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, member)

    assert client.get(url_for(app, "chasers.index")).status_code == 403
    assert client.get(url_for(app, "chasers.cycle", cycle_id=arranged.cycle.id)).status_code == 403


def test_an_unknown_placeholder_is_refused_with_a_govuk_error(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    _manager(client, db)
    arranged = open_cycle_with(db, [AGENCY])
    stage = stages_of(db, arranged.cycle)[0]
    url = url_for(app, "chasers.edit_stage", stage_id=stage.id)

    response = submit_form(client, url, {
        "name": stage.name, "offset": "-10", "anchor": "deadline",
        "subject": "Reminder for {agancy}", "body": "Dear {contact}", "save": "Save stage"})

    page = page_text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Subject contains an unknown placeholder {agancy}" in page
    db.refresh(stage)
    assert stage.subject_template.startswith("Reminder: {agency}")


def test_previewing_broken_wording_puts_each_problem_on_its_field(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    _manager(client, db)
    arranged = open_cycle_with(db, [AGENCY])
    stage = stages_of(db, arranged.cycle)[0]

    response = submit_form(client, url_for(app, "chasers.edit_stage", stage_id=stage.id), {
        "name": stage.name, "offset": "-10", "anchor": "deadline", "subject": "For {agancy}",
        "body": "Due {deadline", "preview": "Preview"})

    assert response.status_code == 200
    shown = page(response)
    summary = {a["href"]: a.get_text(strip=True) for a in shown.select(".govuk-error-summary__list a")}
    assert summary["#subject"].startswith("Subject contains an unknown placeholder {agancy}")
    assert summary["#body"].startswith("Email text has a { or } without its partner")
    assert shown.select_one("#subject-error") and shown.select_one("#body-error")


def test_a_stage_wording_can_be_previewed_then_saved_and_is_used(
    app: Any, client: FlaskClient, db: Session, tool: Any, mailbox: Any
) -> None:
    _manager(client, db)
    arranged = open_cycle_with(db, [AGENCY])
    stage = stages_of(db, arranged.cycle)[0]
    url = url_for(app, "chasers.edit_stage", stage_id=stage.id)
    wording = {"name": "Early reminder", "offset": "-10", "anchor": "deadline",
               "subject": "Early reminder for {agency}: due {deadline}",
               "body": "Hello {contact},\n\nPlease send {agency}'s return by {deadline}."}

    preview = page_text(submit_form(client, url, {**wording, "preview": "Preview"}))
    assert "Early reminder for Example Agency: due 25 May 2018" in preview
    assert "Hello Alex Smith," in preview
    saved = submit_form(client, url, {**wording, "save": "Save stage"})
    assert saved.status_code == 302

    chasers_send(app, date(2018, 5, 11))
    [message] = mailbox.to(address_of(AGENCY))
    assert subject_of(message) == f"Early reminder for {AGENCY}: due 25 May 2018"
    assert f"Please send {AGENCY}'s return by 25 May 2018." in message.get_body(
        ("plain",)).get_content()


def test_any_stage_can_be_previewed_for_an_agency(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    _manager(client, db)
    arranged = open_cycle_with(db, [AGENCY])
    final = stages_of(db, arranged.cycle)[-1]
    return_id = arranged.returns[AGENCY].id

    page = client.get(url_for(app, "chasers.preview_stage", stage_id=final.id, return_id=return_id))

    text = page.get_data(as_text=True)
    assert f"Final notice: {AGENCY}" in text.replace("&#39;", "'")
    assert address_of(AGENCY) in text and "25 June 2018" in text


def test_a_stage_cannot_be_previewed_for_a_return_of_another_cycle(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    _manager(client, db)
    this = open_cycle_with(db, [AGENCY])
    factories.agency(db, "Hillside School", cohort="B")
    other = create_cycle(db, label="2018-19 B", cohort="B", deadline=date(2018, 6, 1),
                         now=datetime(2018, 4, 2, 9))
    theirs = open_cycle(db, other, now=datetime(2018, 4, 2, 9), links=None)[0]
    db.commit()
    final = stages_of(db, this.cycle)[-1]

    page = client.get(url_for(app, "chasers.preview_stage", stage_id=final.id, return_id=theirs.id))

    assert page.status_code == 404
    assert "Page not found" in page_text(page)
    assert "Hillside School" not in page.get_data(as_text=True)


def test_send_due_chasers_now_sends_and_the_history_shows_it(
    app: Flask, client: FlaskClient, db: Session, tool: Any, mailbox: Any
) -> None:
    _manager(client, db)
    arranged = _cycle_due_today(db, [AGENCY])

    response = submit_form(client, url_for(app, "chasers.send_due", cycle_id=arranged.cycle.id), {},
                           get_url=url_for(app, "chasers.preview_due",
                                           cycle_id=arranged.cycle.id), follow_redirects=True)

    assert f"1 chaser sent: {AGENCY} (Reminder before the deadline)" in response.get_data(
        as_text=True).replace("&#39;", "'")
    assert [kind_of(m["Subject"]) for m in mailbox.to(address_of(AGENCY))] == ["Reminder"]
    history = page_text(client.get(url_for(app, "chasers.history",
                                 return_id=arranged.returns[AGENCY].id)))
    assert "Reminder before the deadline" in history and f"{address_of(AGENCY)}, sent" in history


def test_an_adhoc_chaser_goes_to_one_agency(
    app: Flask, client: FlaskClient, db: Session, tool: Any, mailbox: Any
) -> None:
    _manager(client, db)
    arranged = _cycle_due_today(db, [AGENCY, "Hilltop Youth Club"])
    history_url = url_for(app, "chasers.history", return_id=arranged.returns[AGENCY].id)

    response = submit_form(client, f"{history_url}/chase", {}, get_url=history_url,
                           follow_redirects=True)

    assert f"Chaser sent to {address_of(AGENCY)}" in response.get_data(as_text=True)
    assert "Ad-hoc chaser (Reminder before the deadline wording)" in page_text(response)
    assert len(mailbox.to(address_of(AGENCY))) == 1
    assert mailbox.to(address_of("Hilltop Youth Club")) == []


def test_chase_all_overdue_skips_submitted_returns(
    app: Flask, client: FlaskClient, db: Session, tool: Any, mailbox: Any
) -> None:
    _manager(client, db)
    arranged = _cycle_due_today(db, [AGENCY, "St Mary's School"], overdue=True)
    submit(db, arranged.returns["St Mary's School"], utcnow())
    url = url_for(app, "chasers.cycle", cycle_id=arranged.cycle.id)

    response = submit_form(client, f"{url}/chase-overdue", {}, get_url=f"{url}/chase-overdue",
                           follow_redirects=True)

    assert "1 chaser sent" in page_text(response)
    assert len(mailbox.to(address_of(AGENCY))) == 1
    assert mailbox.to(address_of("St Mary's School")) == []


def test_bounced_contacts_are_listed_to_be_updated(
    app: Any, client: FlaskClient, db: Session, tool: Any, mailbox: Any
) -> None:
    _manager(client, db)
    arranged = open_cycle_with(db, [AGENCY])
    mailbox.reject.add(address_of(AGENCY))
    chasers_send(app, date(2018, 5, 11))

    page = client.get(url_for(app, "chasers.cycle", cycle_id=arranged.cycle.id)).get_data(as_text=True)

    assert f"{AGENCY}: contact address bounced — update it" in page
    assert url_for(app, "manager.agency_edit", agency_id=arranged.agencies[AGENCY].id) in page
