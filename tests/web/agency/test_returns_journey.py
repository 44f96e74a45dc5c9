"""The agency's return over HTTP: home, task list, standard pages, check, submit, reopen."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Answer, AuditEvent, Contact, CycleStatus, Return, ReturnStatus, Role
from portal.services.common import to_uk
from portal.services.returns import AnswerInput, StandardInput, standard_parts, write_standard
from tests.support import csrf_from, factories, sign_in, submit_form, url_for
from tests.support.returns_helpers import (
    answers_form,
    codes_by_standard,
    issue,
    post_standard,
    return_of,
    slug,
    text_of,
)


@dataclass
class Setting:
    agency: Any
    user: Any
    return_id: int
    codes: dict[str, list[str]]

    def url(self, tail: str = "") -> str:
        return f"/agency/returns/{self.return_id}{tail}"


@pytest.fixture
def setting(db: Session) -> Setting:
    """A short-tool agency in a cycle of the 2026.1 edition (a page and evidence per standard)."""
    tool = factories.earlier_tool(db)
    agency = factories.agency(db, "Riverside Youth Club", sector_name="Voluntary and community",
                              variant="short", email="lead@riverside.example.org")
    user = factories.user(db, Role.AGENCY, agency=agency, email="dsl@riverside.example.org",
                          name="Sam Patel")
    cycle = issue(db, tool=tool)
    return_id = return_of(db, agency, cycle).id
    db.commit()
    return Setting(agency, user, return_id, codes_by_standard(tool, "short"))


def fill_all(client: FlaskClient, setting: Setting) -> None:
    for code, questions in setting.codes.items():
        response = post_standard(client, setting.url(f"/standards/{code}"), answers_form(questions))
        assert response.status_code == 302, text_of(response)[:2000]


def test_home_lists_open_returns_with_progress_then_past_copies(
    app: Flask, client: FlaskClient, db: Session, setting: Setting
) -> None:
    past = issue(db, label="2024-25", deadline=date(2025, 1, 31))
    past.status = CycleStatus.CLOSED.value
    old = return_of(db, setting.agency, past)
    old.status = ReturnStatus.SUBMITTED.value
    db.commit()
    sign_in(client, setting.user)
    post_standard(client, setting.url("/standards/1"), answers_form(setting.codes["1"]))
    page = text_of(client.get(url_for(app, "agency.home")))
    assert "Compact Audit 2026-27 29 January 2027 In progress 2 of 19 questions" in page
    assert page.index("2026-27") < page.index("Past returns") < page.index("2024-25")
    assert url_for(app, "agency.pdf",
                   return_id=old.id) in client.get(url_for(app, "agency.home")).get_data(as_text=True)


def test_task_list_shows_each_standards_status(client: FlaskClient, setting: Setting) -> None:
    sign_in(client, setting.user)
    post_standard(client, setting.url("/standards/1"), answers_form(setting.codes["1"]))
    first_only = {f"grade-{slug(setting.codes['2'][0])}": "good"}
    post_standard(client, setting.url("/standards/2"), first_only)
    page = text_of(client.get(setting.url()))
    assert "You have answered 3 of 19 questions. You have completed 1 of 12 standards." in page
    assert "1. Leadership and accountability 2 of 2 questions answered Completed" in page
    assert "2. Policies and procedures 1 of 2 questions answered. Still to do: 1 question is " \
           "not answered; Describe your evidence for standard 2 In progress" in page
    assert "3. Designated safeguarding leads 0 of 1 questions answered Not started" in page


def test_not_applicable_needs_a_reason_and_a_weak_grade_an_action(
    client: FlaskClient, db: Session, setting: Setting
) -> None:
    sign_in(client, setting.user)
    first, second = setting.codes["1"]
    response = post_standard(client, setting.url("/standards/1"), {
        f"grade-{slug(first)}": "not_applicable", f"grade-{slug(second)}": "inadequate",
        f"by-{slug(second)}-day": "31", f"by-{slug(second)}-month": "2",
        f"by-{slug(second)}-year": "2027", "evidence": "Kept for later",
    })
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'href="#reason-{slug(first)}"' in html
    assert f"Enter why question {first} is not applicable" in html
    assert f"Enter what will be done about question {second}" in html
    assert f'href="#by-{slug(second)}-day"' in html  # 31 February is not a real date
    assert "Kept for later" in html  # the input is shown back
    assert db.scalars(select(Answer)).all() == []


def test_save_and_continue_goes_to_the_next_standard_and_saves_actions(
    client: FlaskClient, db: Session, setting: Setting
) -> None:
    sign_in(client, setting.user)
    first, second = setting.codes["1"]
    response = post_standard(client, setting.url("/standards/1"), {
        f"grade-{slug(first)}": "requires_improvement", f"what-{slug(first)}": "Train trustees",
        f"who-{slug(first)}": "Chair", f"by-{slug(first)}-day": "30",
        f"by-{slug(first)}-month": "4", f"by-{slug(first)}-year": "2027",
        f"grade-{slug(second)}": "not_applicable", f"reason-{slug(second)}": "No plan",
        f"what-{slug(second)}": "ignored: not a weak grade",
    }, action="continue")
    assert response.headers["Location"].endswith(setting.url("/standards/2"))
    check = text_of(client.get(setting.url("/check")))
    assert "Requires improvement Action: Train trustees (by Chair, 30 April 2027)" in check
    assert "Not applicable Why not applicable: No plan" in check
    assert "ignored" not in check


def test_submit_refuses_and_links_every_unanswered_question_and_missing_evidence(
    client: FlaskClient, setting: Setting
) -> None:
    sign_in(client, setting.user)
    post_standard(client, setting.url("/standards/1"), answers_form(setting.codes["1"]))
    response = post_standard(client, setting.url("/check"), {"name": "Sam Patel", "role": "DSL"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    missing = [c for s, codes in setting.codes.items() if s != "1" for c in codes]
    for code in missing:
        assert f"Select a grade for question {code}" in html
        standard = code.split(".")[0]
        assert f'href="{setting.url(f"/standards/{standard}")}#grade-{slug(code)}"' in html
    assert "Describe your evidence for standard 2" in html
    assert "Describe your evidence for standard 1:" not in html
    unnamed = post_standard(client, setting.url("/check"), {"name": "", "role": "DSL"})
    html = unnamed.get_data(as_text=True)
    assert html.count("data-module=\"govuk-error-summary\"") == 1  # one summary for everything
    assert 'href="#name"' in html and "Select a grade for question" in html


def test_submitting_locks_the_return_and_emails_a_pdf_copy(
    app: Flask, client: FlaskClient, db: Session, setting: Setting, mailbox: Any
) -> None:
    sign_in(client, setting.user)
    fill_all(client, setting)
    response = post_standard(client, setting.url("/check"), {"name": "Sam Patel",
                                                             "role": "Designated lead"})
    assert response.headers["Location"].endswith(setting.url("/submitted"))
    assert "Return submitted" in text_of(client.get(setting.url("/submitted")))
    submitted = to_uk(db.get(Return, setting.return_id).submitted_at)  # type: ignore[union-attr]
    contact = db.scalar(select(Contact).where(Contact.email == "lead@riverside.example.org"))
    assert contact is not None
    for address, name in (("dsl@riverside.example.org", "Sam Patel"),
                          ("lead@riverside.example.org", contact.name)):
        [message] = mailbox.to(address)
        body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
        assert body.startswith(f"Dear {name},\n")  # greeted by name, not "Dear colleague"
        assert (f"Submitted on: {submitted.day} {submitted:%B %Y at %H:%M} (UK time)") in body
        [attachment] = list(message.iter_attachments())
        text = "\n".join(p.extract_text() for p in
                         PdfReader(io.BytesIO(attachment.get_content())).pages)
        assert "Riverside Youth Club" in text
        for codes in setting.codes.values():
            for code in codes:
                assert re.search(rf"{re.escape(code)}\s+Good", text), code
    # any page's form token
    token = csrf_from(client.get(url_for(app, "auth.sign_out")).get_data(as_text=True))
    locked = client.post(setting.url("/standards/1"), data={"csrf_token": token})
    assert locked.status_code == 302
    assert "has been submitted" in text_of(client.get(setting.url()))
    assert client.get(setting.url("/pdf")).mimetype == "application/pdf"


def test_another_agencys_return_pdf_and_spreadsheet_are_not_found(
    client: FlaskClient, db: Session, setting: Setting
) -> None:
    other = factories.agency(db, "Hillside Scouts", variant="short")
    stranger = factories.user(db, Role.AGENCY, agency=other)
    db.commit()
    sign_in(client, stranger)
    for tail in ("", "/standards/1", "/check", "/pdf", "/spreadsheet", "/spreadsheet/upload"):
        assert client.get(setting.url(tail)).status_code == 404, tail


def test_manager_reopens_with_a_recorded_reason_and_the_agency_resubmits(
    app: Flask, client: FlaskClient, db: Session, setting: Setting, mailbox: Any
) -> None:
    sign_in(client, setting.user)
    fill_all(client, setting)
    post_standard(client, setting.url("/check"), {"name": "Sam Patel", "role": "Lead"})
    submit_form(client, url_for(app, "auth.sign_out"), {})
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    assert "Riverside Youth Club" in text_of(client.get(url_for(app, "manager_returns.index")))
    url = url_for(app, "manager_returns.reopen", return_id=setting.return_id)
    response = submit_form(client, url, {"reason": "Standard 6 evidence is missing a date"})
    assert response.status_code == 302
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "return.reopened"))
    assert event is not None and event.detail["reason"] == "Standard 6 evidence is missing a date"
    contact = setting.agency.primary_contact
    assert contact is not None
    [told] = [m for m in mailbox.to(contact.email) if "reopened" in m["Subject"]]
    assert "Standard 6 evidence is missing a date" in told.get_body(("plain",)).get_content()
    submit_form(client, url_for(app, "auth.sign_out"), {})
    sign_in(client, setting.user)
    assert "Standard 6 evidence is missing a date" in text_of(client.get(setting.url()))
    post_standard(client, setting.url("/standards/1"), answers_form(setting.codes["1"], "good"))
    response = post_standard(client, setting.url("/check"), {"name": "Sam Patel", "role": "Lead"})
    assert response.headers["Location"].endswith(setting.url("/submitted"))


def test_last_returns_answers_are_shown_and_can_be_copied(
    client: FlaskClient, db: Session, setting: Setting, tool: Any
) -> None:
    past = issue(db, label="2024-25", deadline=date(2025, 1, 31))
    old = return_of(db, setting.agency, past)
    for part in standard_parts(db, old):
        answers = [AnswerInput(q.code, "outstanding") for q in part.questions]
        write_standard(db, old, part, StandardInput(answers, "Old evidence"), user_id=None,
                       now=past.opened_at or past.created_at)
    old.status = ReturnStatus.SUBMITTED.value
    db.commit()
    sign_in(client, setting.user)
    post_standard(client, setting.url("/standards/1"), answers_form(setting.codes["1"], "good"))
    page = text_of(client.get(setting.url("/standards/1")))
    assert "Your answer in 2024-25: Outstanding" in page
    response = submit_form(client, setting.url("/previous"), {}, get_url=setting.url())
    assert response.status_code == 302
    check = text_of(client.get(setting.url("/check")))
    first = setting.codes["1"][0]
    later = setting.codes["2"][0]
    assert re.search(rf"{re.escape(first)} [^.]+\. Good", check)  # answered: not overwritten
    assert re.search(rf"{re.escape(later)} [^.]+\. Outstanding", check)
    assert "You have answered 19 of 19 questions" in check
