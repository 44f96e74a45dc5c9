"""show_problems: a service's problems land on the form field they name, else on the default
field, else in the form's own errors (the error summary only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from wtforms import StringField

from portal.problems import show_problems
from portal.services.common import Invalid, NotFound, Problem, Refused, ServiceError

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass


class PersonForm(FlaskForm):
    name = StringField("Name")
    email = StringField("Email")


@pytest.fixture
def form() -> Iterator[PersonForm]:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="unit", WTF_CSRF_ENABLED=False)
    with app.test_request_context(method="POST", data={"name": "Ann", "email": "ann"}):
        made = PersonForm()
        made.validate()
        yield made


def test_a_problem_goes_on_the_field_it_names(form: PersonForm) -> None:
    show_problems(form, Invalid.at("email", "Enter an email address in the correct format"))
    assert form.email.errors == ["Enter an email address in the correct format"]
    assert form.name.errors == []
    assert form.form_errors == []


def test_each_of_several_problems_goes_on_its_own_field(form: PersonForm) -> None:
    show_problems(form, Invalid([Problem("name", "Enter a shorter name"),
                                 Problem("email", "That email is taken"),
                                 Problem("email", "Use a work address")]))
    assert form.name.errors == ["Enter a shorter name"]
    assert form.email.errors == ["That email is taken", "Use a work address"]


def test_a_field_the_form_does_not_have_goes_to_the_default_field(form: PersonForm) -> None:
    show_problems(form, Invalid.at("agency", "No such agency"), default="name")
    assert form.name.errors == ["No such agency"]


def test_a_field_the_form_does_not_have_and_no_default_goes_to_the_summary(
    form: PersonForm,
) -> None:
    show_problems(form, Invalid.at("agency", "No such agency"))
    assert (form.name.errors, form.email.errors) == ([], [])
    assert form.form_errors == ["No such agency"]
    assert form.errors == {"": ["No such agency"]}  # what the GOV.UK error summary lists


def test_a_problem_with_no_field_goes_to_the_default_or_the_summary(form: PersonForm) -> None:
    show_problems(form, Invalid.at(None, "Something about the whole form"), default="email")
    assert form.email.errors == ["Something about the whole form"]
    show_problems(form, Invalid.at(None, "And again"))
    assert form.form_errors == ["And again"]


@pytest.mark.parametrize("error", [ServiceError("The cycle is closed"),
                                   Refused("The cycle is closed"), NotFound("The cycle is closed")])
def test_any_other_service_error_goes_whole_to_the_default_or_the_summary(
    form: PersonForm, error: ServiceError,
) -> None:
    show_problems(form, error, default="name")
    assert form.name.errors == ["The cycle is closed"]
    show_problems(form, error)
    assert form.form_errors == ["The cycle is closed"]


def test_a_default_the_form_does_not_have_is_the_summary(form: PersonForm) -> None:
    show_problems(form, Refused("No"), default="nothing_here")
    assert form.form_errors == ["No"]
