"""A date field's hint gives an example that makes sense today: a deadline's, a due date's and
a visit's example is a date still to come (the hints said "29 6 2018" in 2026), an update's a
date already past."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from tests.support import factories, sign_in, url_for


def _hints(client: FlaskClient, path: str) -> dict[str, date]:
    """Each date field's legend and the date its "For example, d m yyyy" hint gives (a field
    whose hint says something else has no example)."""
    page = BeautifulSoup(client.get(path).get_data(as_text=True), "lxml")
    found = {}
    for fieldset in page.select("fieldset:has(.govuk-date-input)"):
        legend = " ".join(fieldset.select_one("legend").get_text(" ").split())
        for hint in (h.get_text(" ").split() for h in fieldset.select(".govuk-hint")):
            if hint[:2] == ["For", "example,"]:
                day, month, year = (int(n) for n in hint[2:5])
                found[legend] = date(year, month, day)
    return found


def test_every_date_hint_on_the_managers_and_committees_forms_is_on_the_right_side_of_today(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    today = datetime.now(ZoneInfo("Europe/London")).date()
    hints = {**_hints(client, url_for(app, "cycles.new")),
             **_hints(client, url_for(app, "requests.new")),
             **_hints(client, url_for(app, "recommendations.new"))}
    assert {"Deadline", "Deadline for answers", "Due date"} <= set(hints), hints
    assert all(shown > today for shown in hints.values()), hints
