"""The agency's home shows what is open (return, requests, visit date, survey) under "To do",
and what it has done (a submitted return, an answered request, a visit outcome) under "Done"."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import CycleStatus, Role, VisitStatus
from portal.services import cycles
from tests.support import (
    factories,
    page,
    request_helpers,
    sign_in,
    survey_fixture,
    url_for,
    visible_text,
)
from tests.support.moderation_factories import drawn
from tests.support.returns_helpers import issue, return_of


def _section(home: BeautifulSoup, name: str) -> str:
    found = home.select_one(f"#{name}")
    return visible_text(found) if found is not None else ""


def _home(app: Flask, client: FlaskClient) -> BeautifulSoup:
    response = client.get(url_for(app, "agency.home"))
    assert response.status_code == 200
    return page(response)


def test_a_submitted_return_moves_from_to_do_to_done(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    agency = factories.agency(db, "Riverside Scouts")
    cycle = issue(db)
    user = factories.user(db, Role.AGENCY, agency=agency)
    db.commit()
    sign_in(client, user)
    home = _home(app, client)
    assert "Compact Audit 2026-27" in _section(home, "to-do")
    assert "Compact Audit 2026-27" not in _section(home, "done")
    cycles.mark_submitted(db, return_of(db, agency, cycle), now=datetime(2026, 12, 1, 9))
    db.commit()
    home = _home(app, client)
    assert "Compact Audit 2026-27" not in _section(home, "to-do")
    assert "Compact Audit 2026-27" in _section(home, "done")
    link = home.select_one("#done a")
    assert link["href"] == url_for(app, "agency.return_page", return_id=return_of(db, agency, cycle).id)
    assert "View" in link.get_text()


def test_an_open_information_request_is_to_do_until_answered(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    agency = factories.agency(db, "Riverside Scouts")
    user = factories.user(db, Role.AGENCY, agency=agency)
    db.commit()
    sign_in(client, user)
    request = request_helpers.send(db, now=datetime(2026, 12, 1, 9), deadline=date(2099, 5, 25))
    home = _home(app, client)
    [link] = home.select("#to-do a[href]")
    assert link["href"] == url_for(app, "agency_requests.answer", request_id=request.id)
    assert "Training on working with disabled children (answer by 25 May 2099)" in (
        _section(home, "to-do"))
    request_helpers.answer(db, request, agency, datetime(2026, 12, 2, 9))
    home = _home(app, client)
    assert "Training on working with disabled children" not in _section(home, "to-do")
    assert "Training on working with disabled children (answered on 2 December 2026)" in (
        _section(home, "done"))


def test_a_closed_information_request_is_not_shown_as_open(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    agency = factories.agency(db, "Riverside Scouts")
    user = factories.user(db, Role.AGENCY, agency=agency)
    db.commit()
    sign_in(client, user)
    request_helpers.send(db)  # its deadline, 25 May 2018, has passed
    assert "Training on working with disabled children" not in _section(_home(app, client), "to-do")


def test_the_visit_stays_on_the_home_from_its_date_until_it_is_written_up(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    [visit, *_], _manager = drawn(db)
    visit.return_.cycle.status = CycleStatus.CLOSED.value
    visit.status, visit.place = VisitStatus.SCHEDULED.value, "Town hall"
    visit.starts_at = datetime(2099, 6, 12, 13, 30)
    user = factories.user(db, Role.AGENCY, agency=visit.return_.agency)
    db.commit()
    sign_in(client, user)
    assert ("The moderation visit to your 2017-18 return is on Friday 12 June 2099 at 2:30pm at Town hall."
            in _section(_home(app, client), "to-do"))
    visit.starts_at = datetime(2018, 3, 27, 10)
    db.commit()
    home = visible_text(_home(app, client))
    assert "took place on Tuesday 27 March 2018 at 11:00am at Town hall" in home
    assert "The partnership will send you its outcome" in home
    visit.status, visit.outcome = VisitStatus.COMPLETED.value, "Grades confirmed"
    visit.completed_at = datetime(2018, 3, 28, 9)
    db.commit()
    home_page = _home(app, client)
    assert "took place on" not in visible_text(home_page)
    assert home_page.select_one(
        f'#done a[href="{url_for(app, "moderation.agency_outcome", visit_id=visit.id)}"]') is not None


def test_the_open_cycles_survey_is_to_do_and_an_earlier_ones_is_done(
    app: Flask, client: FlaskClient, db: Session, tmp_path: Path
) -> None:
    known = survey_fixture.build(db, tmp_path)
    user = factories.user(db, Role.AGENCY, agency=known.agencies["G1"])
    db.commit()
    sign_in(client, user)
    survey_url = url_for(app, "agency_survey.page", cycle_id=known.cycle.id)
    home = _home(app, client)
    assert home.select_one(f'#to-do a[href="{survey_url}"]') is not None
    known.cycle.status = CycleStatus.CLOSED.value
    db.commit()
    home = _home(app, client)
    assert home.select_one(f'#to-do a[href="{survey_url}"]') is None
    assert home.select_one(f'#done a[href="{survey_url}"]') is not None
