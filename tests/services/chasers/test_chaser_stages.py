"""Chaser stages without a database: dates in English working days, placeholders, the email."""

from __future__ import annotations

from datetime import date

import pytest

from portal.models import ChaserStage, Cycle
from portal.services.accounts import LinkSettings
from portal.services.chasers import (
    DEFAULT_STAGES,
    Addressee,
    check_wording,
    describe_timing,
    due_on,
    render_chaser_email,
    template_problem,
)
from portal.services.common import Invalid, Problem, ServiceError

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

LINKS = LinkSettings(secret_key="k", base_url="https://portal.example.org/", hours=72,
                     partnership="Anyshire Safeguarding Children Partnership",
                     help_email="help@example.org")


def _stages() -> list[ChaserStage]:
    return [ChaserStage(code=d.code, name=d.name, anchor=d.anchor, offset_working_days=d.offset,
                        subject_template=d.subject, body_template=d.body, position=n)
            for n, d in enumerate(DEFAULT_STAGES, 1)]


def test_default_stages_fall_on_english_working_days() -> None:
    cycle = Cycle(label="2018-19", deadline=date(2018, 5, 25), final_deadline=date(2018, 6, 25))

    assert [due_on(s, cycle) for s in _stages()] == [
        date(2018, 5, 11), date(2018, 5, 25), date(2018, 6, 4), date(2018, 6, 11),
        date(2018, 6, 25),
    ]


def test_a_deadline_on_a_bank_holiday_is_chased_on_the_next_working_day() -> None:
    cycle = Cycle(label="2018-19", deadline=date(2018, 8, 27), final_deadline=date(2018, 12, 25))
    on_deadline, final = _stages()[1], _stages()[-1]

    assert due_on(on_deadline, cycle) == date(2018, 8, 28)
    assert due_on(final, cycle) == date(2018, 12, 27)  # Christmas Day and Boxing Day


def test_timing_is_described_in_words() -> None:
    assert [describe_timing(s) for s in _stages()] == [
        "10 working days before the deadline", "On the deadline",
        "5 working days after the deadline", "10 working days after the deadline",
        "On the final deadline",
    ]


@pytest.mark.parametrize("text", [
    "Reminder for {agency}: due {deadline}", "{contact}, see {link} by {final_deadline}",
    "Braces written {{like this}}", "No placeholders at all",
])
def test_known_placeholders_are_accepted(text: str) -> None:
    assert template_problem(text, "Subject") is None


@pytest.mark.parametrize(("text", "problem"), [
    ("Dear {name}", "Subject contains an unknown placeholder {name}"),
    ("{agency.__class__}", "Subject contains an unknown placeholder {agency.__class__}"),
    ("{agency!r}", "Subject contains an unknown placeholder {agency}"),
    ("{deadline:%Y}", "Subject contains an unknown placeholder {deadline}"),
    ("{}", "Subject contains an unknown placeholder {}"),
    ("Due {deadline", "Subject has a { or } without its partner"),
])
def test_unknown_or_broken_placeholders_are_refused(text: str, problem: str) -> None:
    assert (template_problem(text, "Subject") or "").startswith(problem)


def test_wording_is_refused_on_each_field_that_cannot_be_filled() -> None:
    check_wording("Reminder for {agency}", "Dear {contact}")  # fine: no error

    with pytest.raises(Invalid) as refused:
        check_wording("Reminder for {agancy}", "Due {deadline")

    assert refused.value.problems == [
        Problem("subject", "Subject contains an unknown placeholder {agancy}: use only {agency}, "
                           "{deadline}, {final_deadline}, {link}, {contact}"),
        Problem("body", "Email text has a { or } without its partner: placeholders look like "
                        "{agency}, and a brace on its own is written {{ or }}"),
    ]


def test_the_email_always_states_agency_deadline_link_and_help() -> None:
    cycle = Cycle(label="2018-19", deadline=date(2018, 5, 25), final_deadline=date(2018, 6, 25))
    email = render_chaser_email(
        subject_template="Chaser", body_template="Please reply.", cycle=cycle, links=LINKS,
        to=Addressee(agency="Tom & Jerry's <Club>", contact="Sam", email="sam@example.org"),
    )

    for part in (email.text, email.html or ""):
        assert "25 May 2018" in part and "https://portal.example.org/agency/" in part
        assert "help@example.org" in part
    assert "Tom & Jerry's <Club>" in email.text
    assert "Tom &amp; Jerry&#39;s &lt;Club&gt;" in (email.html or "")


def test_an_invalid_stored_template_is_not_rendered() -> None:
    cycle = Cycle(label="2018-19", deadline=date(2018, 5, 25), final_deadline=date(2018, 6, 25))
    with pytest.raises(ServiceError):
        render_chaser_email(subject_template="{agency.__init__}", body_template="x", cycle=cycle,
                            links=LINKS, to=Addressee("A", "B", "c@example.org"))
