"""Cohorts: sizes shown, new agencies join the smaller cohort, moves are recorded."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, AuditEvent, Role
from portal.services import register
from tests.support import factories, sign_in, submit_form, url_for
from tests.support.cycle_pages import text_of


def _manager(client: FlaskClient, db: Session) -> int:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    return manager.id


def _new_agency(client: FlaskClient, db: Session, name: str) -> Agency:
    response = submit_form(client, url_for(client.application, "manager.agency_new"), {
        "name": name, "sector": str(factories.sector(db, "Early years").id),
        "contact_name": "Sam Patel", "email": f"{name.split()[0].lower()}@example.org",
        "cohort": "", "variant": "full"})
    assert response.status_code == 302, text_of(response.get_data(as_text=True))[:1500]
    agency = db.scalar(select(Agency).where(Agency.name == name))
    assert agency is not None
    return agency


def test_cohort_sizes_count_active_agencies_and_are_shown_to_the_manager(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    for _ in range(3):
        factories.agency(db, cohort="A")
    factories.agency(db, cohort="B")
    factories.agency(db, cohort="B", active=False)
    _manager(client, db)
    assert register.cohort_sizes(db) == {"A": 3, "B": 1}
    page = text_of(client.get(url_for(app, "manager.agencies")).get_data(as_text=True))
    assert "Cohort A: 3 active agencies. Cohort B: 1 active agencies." in page
    home = text_of(client.get(url_for(app, "manager.home")).get_data(as_text=True))
    assert "Cohort A has 3 active agencies; cohort B has 1." in home


def test_new_agencies_join_the_smaller_cohort_unless_the_manager_chooses(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    factories.agency(db, cohort="A")
    factories.agency(db, cohort="A")
    factories.agency(db, cohort="B")
    _manager(client, db)
    form = text_of(client.get(url_for(app, "manager.agency_new")).get_data(as_text=True))
    assert "now cohort B" in form
    assert _new_agency(client, db, "Brookside Day Nursery").cohort == "B"  # 2 v 1
    assert _new_agency(client, db, "Claremont Pre-School").cohort == "A"  # 2 v 2: A on a tie
    assert _new_agency(client, db, "Dale End Playgroup").cohort == "B"  # 3 v 2
    chosen = submit_form(client, url_for(app, "manager.agency_new"), {
        "name": "Eastfield Toy Library", "sector": str(factories.sector(db).id),
        "contact_name": "Jo Khan", "email": "jo@eastfield.example.org", "cohort": "A",
        "variant": "full"})
    assert chosen.status_code == 302
    assert db.scalar(select(Agency.cohort).where(Agency.name == "Eastfield Toy Library")) == "A"


def test_moving_an_agency_between_cohorts_is_recorded(app: Flask, client: FlaskClient, db: Session) -> None:
    agency = factories.agency(db, "Fairview Scouts", cohort="A")
    manager_id = _manager(client, db)
    response = submit_form(client, url_for(app, "manager.agency_cohort",
                                           agency_id=agency.id), {"cohort": "B"})
    assert response.status_code == 302
    detail = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Fairview Scouts is now in cohort B" in detail
    db.expire_all()
    assert db.get(Agency, agency.id).cohort == "B"  # type: ignore[union-attr]
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "agency.cohort_moved"))
    assert event is not None
    assert (event.entity_id, event.user_id, event.detail) == (
        agency.id, manager_id, {"old": "A", "new": "B"})


def test_staying_in_the_same_cohort_records_no_move(db: Session) -> None:
    agency = factories.agency(db, cohort="B")
    register.move_cohort(db, agency, "B")
    db.flush()
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "agency.cohort_moved")) is None
