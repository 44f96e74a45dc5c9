"""A service's problem shows on the field it is about (the services key them by the form's field
names; no view reads an error's text to guess the field)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Return, ReturnStatus, Role
from portal.services import cycles
from portal.services.reporting import close_and_publish
from tests.support import factories, sign_in, submit_form, url_for
from tests.support.moderation_factories import cycle_with_returns, members


def errors_by_field(response: Any) -> dict[str, str]:
    """Each field's error message as shown beside it (GOV.UK: `<field id>-error`)."""
    assert response.status_code == 200, response.status_code
    page = BeautifulSoup(response.get_data(as_text=True), "lxml")
    found = {}
    for message in page.select(".govuk-error-message"):
        field = str(message.get("id", "")).removesuffix("-error")
        text = " ".join(message.get_text(" ").split()).removeprefix("Error: ")
        found[field] = text
    summary = [" ".join(a.get_text(" ").split()) for a in page.select(".govuk-error-summary li")]
    assert sorted(summary) == sorted(found.values())  # each listed in the summary too
    return found


def _manager(client: FlaskClient, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER, email="pat@partnership.example.org")
    db.commit()
    sign_in(client, manager)


def test_a_new_users_agency_problems_show_on_the_agency_field(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    _manager(client, db)
    person = {"name": "Sam Lee", "email": "sam@example.org"}
    unknown = submit_form(client, url_for(app, "manager.user_new"),
                          {**person, "role": "agency", "agency": "Nowhere Club"})
    assert errors_by_field(unknown) == {
        "agency": "There is no agency called Nowhere Club in the register"}
    missing = submit_form(client, url_for(app, "manager.user_new"), {**person, "role": "agency"})
    assert errors_by_field(missing) == {"agency": "Enter the agency an agency user belongs to"}
    # the words "agency" in the message no longer decide the field: the service names it
    not_agency = submit_form(client, url_for(app, "manager.user_new"),
                             {**person, "role": "committee", "agency": "Nowhere Club"})
    assert errors_by_field(not_agency) == {
        "agency": "Only agency users belong to an agency: leave the agency blank"}


def test_a_new_users_email_already_in_use_shows_on_the_email_field(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    _manager(client, db)
    factories.user(db, Role.COMMITTEE, email="agency.lead@example.org")
    db.commit()
    taken = submit_form(client, url_for(app, "manager.user_new"), {
        "name": "Sam Lee", "email": "agency.lead@example.org", "role": "committee"})
    assert errors_by_field(taken) == {
        "email": "A user with email agency.lead@example.org already exists"}


def test_reopening_a_closed_cycles_return_unconfirmed_shows_on_the_checkbox(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    factories.agency(db, "Riverside Youth Club", cohort="B")
    cycle = cycles.create_cycle(db, label="2017-18", cohort="B", deadline=date(2017, 6, 30),
                                now=datetime(2017, 4, 3))
    (submitted,) = cycles.open_cycle(db, cycle, now=datetime(2017, 4, 3), links=None)
    cycles.mark_submitted(db, submitted, now=datetime(2017, 6, 1))
    close_and_publish(db, cycle, now=datetime(2017, 9, 1))
    _manager(client, db)

    refused = submit_form(client, url_for(app, "manager_returns.reopen", return_id=submitted.id),
                          {"reason": "Grades entered in error", "republish": "keep"})

    assert list(errors_by_field(refused)) == ["understood"]
    assert errors_by_field(refused)["understood"].startswith(
        "Confirm that you understand the published 2017-18 report")
    assert db.scalar(select(Return.status)) == ReturnStatus.SUBMITTED.value


def test_a_redraw_without_a_reason_shows_on_the_reason_field(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    cycle_with_returns(db, {"Health": 12, "Statutory": 8})
    members(db, ["Alex Board", "Bea Carter"])
    _manager(client, db)
    url = url_for(app, "moderation_admin.draw", label="2017-18")
    drawn = submit_form(client, url, {"rate": "10", "seed": "77", "exclude_recent": "0"})
    assert drawn.status_code == 302

    again = submit_form(client, url, {"rate": "10", "seed": "78", "exclude_recent": "0"})

    assert errors_by_field(again) == {
        "reason": "A sample has already been drawn for 2017-18: give a reason to redraw it"}
