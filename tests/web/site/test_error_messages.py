"""Errors the GOV.UK way: each on its own field, in the Design System's words, a date's link to
its day box, and "Error:" in the title of every page that shows one."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services.chasers import stages_of
from tests.support import factories, sign_in, submit_form, url_for
from tests.support.chaser_helpers import open_cycle_with

TITLE = re.compile(r"<title>\s*([^<]*)</title>")
SUMMARY_LINK = re.compile(r'<a href="(#[^"]+)">([^<]+)</a>')


def _summary(response: Any) -> tuple[str, dict[str, str]]:
    html = response.get_data(as_text=True)
    title = TITLE.search(html)
    assert title is not None
    return title.group(1).strip(), {text.strip(): href for href, text in SUMMARY_LINK.findall(html)}


def test_errors_sit_on_their_own_fields_in_govuk_words(
        app: Flask, client: FlaskClient, db: Session, tool: Any) -> None:
    arranged = open_cycle_with(db, ["Riverside NHS Trust"])
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)

    title, links = _summary(submit_form(client, url_for(app, "manager.agency_new"), {
        "name": "Riverside Youth Club", "sector": "0", "contact_name": "Bo",
        "email": "bo@example.org"}))
    assert title.startswith("Error:")
    assert links == {"Select a sector": "#sector"}

    title, links = _summary(submit_form(client, url_for(app, "cycles.new"), {"label": "2027-28"}))
    assert title.startswith("Error:")
    assert any(href == "#deadline-day" for href in links.values()), links

    stage = stages_of(db, arranged.cycle)[0]
    url = url_for(app, "chasers.edit_stage", stage_id=stage.id)
    response = submit_form(client, url, {"name": "Reminder", "offset": "ten",
                                         "anchor": "deadline", "subject": "S", "body": "B"})
    title, links = _summary(response)
    assert title.startswith("Error:")
    assert "Enter the number of working days as a whole number, like -10 or 5" in links
    assert "Not a valid integer value" not in response.get_data(as_text=True)

    sector = factories.sector(db, "Health").id
    title, links = _summary(submit_form(client, url_for(app, "manager.agency_new"), {
        "name": "x" * 201, "sector": str(sector), "contact_name": "Bo",
        "email": "bo@example.org"}))
    assert links == {"Agency name must be 200 characters or fewer": "#name"}
    _, links = _summary(submit_form(client, url_for(app, "manager.agency_new"), {
        "name": "Riverside", "sector": "999999", "contact_name": "Bo", "email": "bo@example.org"}))
    assert links == {"Select a sector": "#sector"}  # never WTForms' "Not a valid choice"


def test_the_csv_import_page_title_says_error(app: Flask, client: FlaskClient, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    title, links = _summary(submit_form(client, url_for(app, "manager.agency_import"), {}))
    assert title.startswith("Error:") and "Select a CSV file" in " ".join(links)
