"""Inputs that gave 500s (issue 11 #7) and names that could disguise themselves (#11): now refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agency, Answer, Role
from tests.support import csrf_from, factories, page, page_text, sign_in, submit_form, url_for, visible_text
from tests.support.returns_helpers import (
    answers_form,
    codes_by_standard,
    issue,
    post_standard,
    return_of,
    slug,
)

HUGE = str(2**63 + 1)


@pytest.fixture
def manager(client: FlaskClient, db: Session) -> Any:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    return user


@pytest.mark.parametrize("path", [f"/manager/agencies/{HUGE}", f"/manager/users/{HUGE}"])
def test_an_id_beyond_a_database_integer_is_page_not_found(
    client: FlaskClient, manager: Any, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert page(response).select_one("h1").get_text(strip=True) == "Page not found"


@pytest.mark.parametrize("query", [f"sector={HUGE}&page={HUGE}", f"page=-{HUGE}"])
def test_query_numbers_beyond_a_database_integer_are_ignored_not_a_500(
    app: Flask, client: FlaskClient, db: Session, manager: Any, query: str
) -> None:
    factories.agency(db, "Hillside Scouts")
    db.commit()
    response = client.get(url_for(app, "manager.agencies"), query_string=query)
    assert response.status_code == 200
    shown = page(response)
    assert shown.select_one("h1").get_text(strip=True) == "Agencies"
    listed = visible_text(shown.select_one("main"))  # the numbers are ignored, not a 500:
    assert "1 agency found" in listed and "Hillside Scouts" in listed  # the unfiltered list


def test_huge_version_and_action_dates_are_form_errors(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    agency = factories.agency(db, "Hillside Scouts", variant="short")
    user = factories.user(db, Role.AGENCY, agency=agency)
    return_ = return_of(db, agency, issue(db))
    db.commit()
    sign_in(client, user)
    url = url_for(app, "agency.standard", return_id=return_.id, code="1")
    codes = codes_by_standard(tool, "short")["1"]
    form_html = client.get(url).get_data(as_text=True)
    weak = slug(codes[0])
    for year in ("99999999999999999999", "9999", "12345"):
        data = answers_form(codes, "good", **{f"grade-{weak}": "inadequate",
                                              f"what-{weak}": "Fix", f"who-{weak}": "Lead",
                                              f"by-{weak}-day": "1", f"by-{weak}-month": "1",
                                              f"by-{weak}-year": year})
        response = post_standard(client, url, data, page_html=form_html)
        assert response.status_code == 400, year
    overflow = post_standard(client, url, {**answers_form(codes), "version": HUGE},
                             page_html=form_html)
    assert overflow.status_code == 200  # the form again, what was entered kept, unsaved
    assert "It is not saved yet: check it and save it" in visible_text(page(overflow))
    assert db.scalar(select(func.count()).select_from(Answer)) == 0


def test_a_blank_cohort_on_the_new_agency_form_is_an_error_not_a_500(
    app: Flask, client: FlaskClient, db: Session, manager: Any
) -> None:
    sector = factories.sector(db, "Health")
    db.commit()
    response = submit_form(client, url_for(app, "manager.agency_new"), {
        "name": "Oak Surgery", "sector": str(sector.id), "contact_name": "Dr Lee",
        "email": "lee@oak.example.org", "cohort": " ", "variant": "full"})
    assert response.status_code == 200  # the form again, with the error
    shown = page(response)
    assert [a.get_text(strip=True) for a in shown.select(".govuk-error-summary__list a")] == [
        "Select cohort A or B, or the smaller cohort"]
    assert db.scalar(select(func.count()).select_from(Agency)) == 0
    added = db.scalar(select(Agency))
    assert added is None or added.cohort in ("A", "B")


def test_a_csv_field_over_the_csv_size_limit_is_an_import_error(
    app: Flask, client: FlaskClient, manager: Any
) -> None:
    content = b"name,sector,email,contact_name,cohort\n\"" + b"x" * 140_000 + b"\",Health,a@b.org,A,A\n"
    url = url_for(app, "manager.agency_import")
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "file": (io.BytesIO(content), "a.csv")},
                           content_type="multipart/form-data")
    assert response.status_code < 500  # the import page lists the error (its status is issue 13's)
    assert "far too long" in page_text(response)


@pytest.mark.parametrize("name", ["Oak\u202eloohcS", "Oak\u200bSchool", "Oak\u2066School",
                                  "Oak\ufeffSchool"])
def test_agency_names_refuse_bidi_overrides_and_zero_width_characters(
    app: Flask, client: FlaskClient, db: Session, manager: Any, name: str
) -> None:
    sector = factories.sector(db, "Health")
    db.commit()
    response = submit_form(client, url_for(app, "manager.agency_new"), {
        "name": name, "sector": str(sector.id), "contact_name": "Dr Lee",
        "email": "lee@oak.example.org", "cohort": "A", "variant": "full"})
    assert "invisible or text-direction characters" in page_text(response)
    assert db.scalar(select(func.count()).select_from(Agency)) == 0
