"""The manager's agency register pages: list, search, filter, add, edit, deactivate, move, upload."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, AuditEvent, Role, User
from tests.support import factories, page_text, sign_in, submit_form, url_for


@pytest.fixture
def manager(client: FlaskClient, db: Session) -> User:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    return user


def test_search_and_filters_narrow_the_list(
    app: Flask, client: FlaskClient, db: Session, manager: User
) -> None:
    factories.agency(db, "Hillside Primary School", sector_name="Schools and colleges", cohort="A")
    factories.agency(db, "Hillside Medical Practice", sector_name="GP practices", cohort="B")
    factories.agency(db, "Riverside Youth Club", sector_name="Voluntary and community", cohort="A")
    factories.agency(db, "Hillside Old Club", sector_name="Voluntary and community", active=False)
    db.commit()
    schools = factories.sector(db, "Schools and colleges")

    def names(query: str) -> list[str]:
        html = client.get(url_for(app, "manager.agencies"), query_string=query).get_data(as_text=True)
        return [n for n in ("Hillside Primary School", "Hillside Medical Practice",
                            "Riverside Youth Club", "Hillside Old Club") if n in html]

    assert names("q=hillside") == ["Hillside Primary School", "Hillside Medical Practice"]
    assert names(f"sector={schools.id}") == ["Hillside Primary School"]
    assert names("cohort=B") == ["Hillside Medical Practice"]
    assert names("active=no") == ["Hillside Old Club"]
    assert names("q=nothing-matches") == []
    none = client.get(url_for(app, "manager.agencies", q="zzz"))
    assert "No agencies match your filters" in page_text(none)


def test_adding_an_agency_puts_it_in_the_smaller_cohort(
    app: Flask, client: FlaskClient, db: Session, manager: User
) -> None:
    factories.agency(db, cohort="A")
    factories.agency(db, cohort="A")
    factories.agency(db, cohort="B")
    db.commit()
    health = factories.sector(db, "Health")
    response = submit_form(client, url_for(app, "manager.agency_new"), {
        "name": "Anyshire Community Health", "sector": health.id, "contact_name": "Kim Ode",
        "email": "kim@health.example.org", "cohort": "", "variant": "full"})
    assert response.status_code == 302
    added = db.scalar(select(Agency).where(Agency.name == "Anyshire Community Health"))
    assert added is not None and added.cohort == "B"


def test_add_agency_shows_errors_and_keeps_input(
    app: Flask, client: FlaskClient, db: Session, manager: User
) -> None:
    response = submit_form(client, url_for(app, "manager.agency_new"), {
        "name": "", "sector": 0, "contact_name": "Kim Ode", "email": "not an email",
        "variant": "full"})
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Enter the agency name" in html
    assert "Enter an email address in the correct format" in html
    assert 'value="Kim Ode"' in html


def test_duplicate_agency_name_is_refused(
    app: Flask, client: FlaskClient, db: Session, manager: User
) -> None:
    existing = factories.agency(db, "Riverside Youth Club")
    db.commit()
    response = submit_form(client, url_for(app, "manager.agency_new"), {
        "name": "riverside youth club", "sector": existing.sector_id, "contact_name": "A",
        "email": "a@example.org", "variant": "full"})
    assert "already in the register" in page_text(response)


def test_editing_changes_details_and_records_a_cohort_move(
    app: Flask, client: FlaskClient, db: Session, manager: User
) -> None:
    agency = factories.agency(db, "Riverside Youth Club", cohort="A")
    db.commit()
    response = submit_form(client, url_for(app, "manager.agency_edit", agency_id=agency.id), {
        "name": "Riverside Youth Project", "sector": agency.sector_id, "contact_name": "New Lead",
        "email": "new@riverside.example.org", "cohort": "B", "variant": "short"})
    assert response.status_code == 302
    db.refresh(agency)
    assert (agency.name, agency.cohort, agency.variant) == ("Riverside Youth Project", "B", "short")
    assert agency.primary_contact is not None
    assert agency.primary_contact.email == "new@riverside.example.org"
    move = db.scalar(select(AuditEvent).where(AuditEvent.action == "agency.cohort_moved"))
    assert move is not None and move.detail == {"old": "A", "new": "B"}
    assert move.user_id == manager.id


def test_moving_between_cohorts_is_recorded(
    app: Flask, client: FlaskClient, db: Session, manager: User
) -> None:
    agency = factories.agency(db, cohort="B")
    db.commit()
    submit_form(client, url_for(app, "manager.agency_cohort", agency_id=agency.id), {"cohort": "A"})
    db.refresh(agency)
    assert agency.cohort == "A"
    assert db.scalar(select(AuditEvent.detail).where(
        AuditEvent.action == "agency.cohort_moved")) == {"old": "B", "new": "A"}


def test_deactivating_and_reactivating(app: Flask, client: FlaskClient, db: Session, manager: User) -> None:
    agency = factories.agency(db)
    db.commit()
    url = url_for(app, "manager.agency_active", agency_id=agency.id)
    submit_form(client, url, {}, get_url=url_for(app, "manager.agency_detail", agency_id=agency.id))
    db.refresh(agency)
    assert agency.active is False
    submit_form(client, url, {}, get_url=url_for(app, "manager.agency_detail", agency_id=agency.id))
    db.refresh(agency)
    assert agency.active is True


def test_upload_with_a_bad_line_lists_it_and_saves_nothing(
    app: Flask, client: FlaskClient, db: Session, manager: User
) -> None:
    csv_text = ("name,sector,email,contact_name,cohort\n"
                "Good Agency,Health,good@example.org,Ann,A\n"
                "Bad Agency,Nowhere,bad@example.org,Bob,A\n")
    response = submit_form(client, url_for(app, "manager.agency_import"), {
        "file": (io.BytesIO(csv_text.encode()), "agencies.csv")},
        content_type="multipart/form-data")
    html = page_text(response)
    assert "line 3: unknown sector" in html
    assert db.scalars(select(Agency)).all() == []


def test_upload_of_a_good_file_imports_it(
    app: Flask, client: FlaskClient, db: Session, manager: User
) -> None:
    csv_text = "\ufeffname,sector,email,contact_name,cohort\nGood Agency,health,g@example.org,Ann,A\n"
    response = submit_form(client, url_for(app, "manager.agency_import"), {
        "file": (io.BytesIO(csv_text.encode()), "agencies.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert [a.name for a in db.scalars(select(Agency))] == ["Good Agency"]


def test_editing_a_contact_can_clear_its_bounce_without_changing_the_address(
    app: Flask, client: FlaskClient, db: Session, manager: User
) -> None:
    from datetime import datetime

    agency = factories.agency(db, "Riverside Youth Club", email="lead@riverside.example.org")
    contact = agency.contacts[0]
    contact.bounced_at, contact.bounce_reason = datetime(2026, 3, 2, 9), "550 No such user"
    db.commit()
    url = url_for(app, "manager.agency_edit", agency_id=agency.id)
    assert "This address works again" in page_text(client.get(url))
    fields = {"name": agency.name, "sector": agency.sector_id, "contact_name": contact.name,
              "email": contact.email, "cohort": "A", "variant": "full"}

    submit_form(client, url, fields)
    db.refresh(contact)
    assert contact.bounced_at is not None  # an edit alone does not clear it

    submit_form(client, url, {**fields, "address_works": "y"})
    db.refresh(contact)
    assert contact.bounced_at is None and contact.bounce_reason is None
    assert "This address works again" not in client.get(url).get_data(as_text=True)
