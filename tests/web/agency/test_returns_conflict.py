"""No silent overwrite: two people of one agency saving the same standard."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Answer, Evidence, Question, Role
from tests.support import factories, sign_in, url_for
from tests.support.returns_helpers import (
    answers_form,
    codes_by_standard,
    issue,
    post_standard,
    return_of,
    text_of,
)


class Person:
    """A browser of its own: a test client with its own cookies."""

    def __init__(self, app: Flask, user: Any) -> None:
        self.client: FlaskClient = app.test_client()
        self.user = user
        self._act()
        sign_in(self.client, user)
        self._act()

    def _act(self) -> FlaskClient:
        return self.client

    def get(self, url: str) -> Any:
        return self._act().get(url)

    def post_standard(self, url: str, data: dict[str, str], page_html: str) -> Any:
        return post_standard(self._act(), url, data, page_html=page_html)


@pytest.fixture
def two_people(app: Flask, db: Session, tool: Any) -> tuple[Person, Person, str, list[str]]:
    agency = factories.agency(db, "Hillside Primary School", variant="full")
    lead = factories.user(db, Role.AGENCY, agency=agency, name="Priya Khan")
    deputy = factories.user(db, Role.AGENCY, agency=agency, name="Tom Walker")
    return_ = return_of(db, agency, issue(db))
    db.commit()
    url = url_for(app, "agency.standard", return_id=return_.id, code="1")
    return Person(app, lead), Person(app, deputy), url, codes_by_standard(tool, "short")["1"]


def test_second_save_of_a_standard_shows_both_and_loses_neither(
    db: Session, two_people: tuple[Person, Person, str, list[str]]
) -> None:
    lead, deputy, url, codes = two_people
    lead_page = lead.get(url).get_data(as_text=True)
    deputy_page = deputy.get(url).get_data(as_text=True)

    saved = lead.post_standard(url, answers_form(codes, "good", "Lead's evidence"), lead_page)
    assert saved.status_code == 302
    clash = deputy.post_standard(url, answers_form(codes, "outstanding", "Deputy's evidence"),
                                 deputy_page)

    assert clash.status_code == 409
    page = text_of(clash)
    assert "Priya Khan saved this standard" in page
    assert "Lead's evidence" in page  # theirs, shown
    html = clash.get_data(as_text=True)
    assert "Deputy&#39;s evidence</textarea>" in html  # mine, kept in the form
    assert html.count('value="outstanding" checked') == len(codes)
    assert _grades(db) == {"good"} and _evidence(db) == ["Lead's evidence"]

    again = deputy.post_standard(url, answers_form(codes, "outstanding", "Deputy's evidence"),
                                 html)
    assert again.status_code == 302  # a knowing second save keeps the deputy's answers
    db.expire_all()
    assert _grades(db) == {"outstanding"} and _evidence(db) == ["Deputy's evidence"]


def test_saving_a_different_standard_meanwhile_is_not_a_conflict(
    db: Session, two_people: tuple[Person, Person, str, list[str]], tool: Any
) -> None:
    lead, deputy, url, codes = two_people
    other_url = url.replace("/standards/1", "/standards/2")
    other_codes = codes_by_standard(tool, "short")["2"]
    lead_page = lead.get(other_url).get_data(as_text=True)
    deputy_page = deputy.get(url).get_data(as_text=True)
    assert lead.post_standard(other_url, answers_form(other_codes), lead_page).status_code == 302
    assert deputy.post_standard(url, answers_form(codes), deputy_page).status_code == 302
    assert "You have answered 4 of " in text_of(deputy.get(url.split("/standards")[0]))


def _grades(db: Session) -> set[str | None]:
    return set(db.scalars(select(Answer.grade).join(Question).where(Question.code.like("1.%"))))


def _evidence(db: Session) -> list[str]:
    return list(db.scalars(select(Evidence.text)))
