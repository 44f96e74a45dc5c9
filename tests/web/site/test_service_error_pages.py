"""A ServiceError no view handled is a GOV.UK page, never a 500, and what the request wrote is
undone: NotFound the 404 page, Invalid a 400 listing the problems, Refused (or any other rule) a
409 saying the rule's words with a link back. The CLI prints an Invalid's problems, one a line."""

from __future__ import annotations

import click
import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import StringField

from portal import create_app
from portal.access import public
from portal.commands.common import transaction
from portal.db import db_session
from portal.models import Agency
from portal.problems import show_problems
from portal.services.common import Invalid, NotFound, Problem, Refused, ServiceError
from portal.services.returns import ReturnLocked
from tests.support import factories

RAISED = {
    "refused": Refused("The cycle is closed, so its returns cannot change"),
    "locked": ReturnLocked("This return has been submitted"),
    "rule": ServiceError("A rule no view handled"),
    "invalid": Invalid([Problem("rate", "Enter a rate from 1 to 100"),
                        Problem(None, "Choose at least one agency")]),
    "missing": NotFound("No such return"),
}


class OneForm(FlaskForm):
    rate = StringField("Rate")


@pytest.fixture
def client(database_url: str, db: Session) -> FlaskClient:
    app = create_app("testing", DATABASE_URL=database_url, WTF_CSRF_ENABLED=False)
    health = factories.sector(db, "Health")
    db.commit()

    @app.route("/raise/<kind>", methods=["GET", "POST"])
    @public
    def raising(kind: str) -> str:
        db_session().add(Agency(name="Half-saved", sector_id=health.id, cohort="A"))
        db_session().flush()
        raise RAISED[kind]

    @app.route("/form", methods=["POST"])
    @public
    def form_page() -> str:
        form = OneForm()
        show_problems(form, RAISED["invalid"])
        return render_template_string(
            '{% extends "base.html" %}{% set title = "Form" %}{% block body %}{% endblock %}',
            form=form)

    return app.test_client()


def _page(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "lxml")  # type: ignore[attr-defined]


def _text(node: object) -> str:
    return " ".join(node.get_text(" ").split())  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["refused", "locked", "rule"])
def test_a_refusal_is_a_409_saying_what_was_refused_and_nothing_is_saved(
    client: FlaskClient, db: Session, kind: str
) -> None:
    response = client.post(f"/raise/{kind}")
    page = _page(response)
    assert response.status_code == 409
    assert _text(page.h1) == "You cannot do that"
    assert _text(page.select_one("[data-refused]")) == str(RAISED[kind])
    assert page.title is not None and _text(page.title).startswith("You cannot do that")
    assert db.scalars(select(Agency)).all() == []


def test_an_invalid_request_is_a_400_listing_each_problem_and_nothing_is_saved(
    client: FlaskClient, db: Session
) -> None:
    response = client.get("/raise/invalid")
    page = _page(response)
    assert response.status_code == 400
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None
    assert _text(summary.select_one(".govuk-error-summary__title")) == "There is a problem"
    assert [_text(li) for li in summary.select("li")] == ["Enter a rate from 1 to 100",
                                                          "Choose at least one agency"]
    assert _text(page.title).startswith("Error:")  # type: ignore[arg-type]
    assert db.scalars(select(Agency)).all() == []


def test_a_service_not_found_is_still_the_404_page_and_nothing_is_saved(
    client: FlaskClient, db: Session
) -> None:
    response = client.post("/raise/missing")
    assert response.status_code == 404
    assert _text(_page(response).h1) == "Page not found"
    assert db.scalars(select(Agency)).all() == []


def _back(response: object) -> str:
    link = _page(response).find("a", string="Go back")
    assert link is not None
    return str(link["href"])  # type: ignore[index]


def test_go_back_leads_to_the_page_of_this_service_the_request_came_from(
    client: FlaskClient,
) -> None:
    came_from = {"Referer": "http://localhost/manager/returns/?q=river"}
    assert _back(client.post("/raise/refused", headers=came_from)) == "/manager/returns/?q=river"
    # never to another site: a post goes back to its form, a page to the home page
    elsewhere = {"Referer": "https://evil.example/phish"}
    assert _back(client.post("/raise/refused", headers=elsewhere)) == "/raise/refused"
    assert _back(client.get("/raise/refused", headers=elsewhere)) == "/"
    assert _back(client.get("/raise/invalid", headers={"Referer": "javascript:alert(1)"})) == "/"


def test_a_problem_for_no_field_is_text_in_the_summary_and_one_for_a_field_links_to_it(
    client: FlaskClient,
) -> None:
    summary = _page(client.post("/form")).select_one(".govuk-error-summary")
    assert summary is not None
    items = {_text(li): li.find("a") for li in summary.select("li")}
    assert items["Enter a rate from 1 to 100"]["href"] == "#rate"  # type: ignore[index]
    assert items["Choose at least one agency"] is None


@pytest.fixture
def cli_app(database_url: str) -> Flask:
    app = create_app("testing", DATABASE_URL=database_url)

    @app.cli.command("refuse")
    @click.argument("kind")
    def refuse(kind: str) -> None:
        with transaction():
            raise RAISED[kind]

    return app


def test_the_cli_prints_each_problem_of_an_invalid_request_and_fails(cli_app: Flask) -> None:
    result = cli_app.test_cli_runner().invoke(args=["refuse", "invalid"])
    assert result.exit_code == 1
    assert result.output.splitlines() == ["Error: Enter a rate from 1 to 100",
                                          "Error: Choose at least one agency"]


@pytest.mark.parametrize("kind", ["refused", "locked", "missing"])
def test_the_cli_says_why_another_rule_refused_and_fails(cli_app: Flask, kind: str) -> None:
    result = cli_app.test_cli_runner().invoke(args=["refuse", kind])
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"Error: {RAISED[kind]}"]
