"""The one text policy (services.common): what every way in refuses, and the commands that
apply it, on SQLite and on PostgreSQL (TEST_DB=postgresql)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agency, RequestAnswer, Role, User
from portal.services import accounts, partnerships, recommendations, register
from portal.services.common import (
    ImportRejected,
    Invalid,
    Problem,
    clean_text,
    text_message,
    text_problems,
)
from portal.services.recommendations import NewRecommendation
from portal.services.requests import RequestRejected, answer_request
from portal.services.returns import ActionInput, AnswerInput, evidence_problems, limit_problems
from tests.support import factories
from tests.support.request_helpers import LINKS, agencies, send
from tests.support.returns_helpers import issue

CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f"]
HIDDEN = ["\u202e", "\u202a", "\u2066", "\u2069", "\u200b", "\u200d", "\u2060", "\ufeff"]


@pytest.mark.no_database
@pytest.mark.parametrize("control", CONTROLS)
def test_every_kind_of_text_refuses_nul_and_other_control_characters(control: str) -> None:
    for kind in ("text", "line", "name"):
        assert text_message("Evidence", f"a{control}b", kind=kind) == (
            "Evidence must not contain control characters")


@pytest.mark.no_database
def test_tab_and_new_lines_are_kept_in_text_and_crlf_becomes_a_new_line() -> None:
    assert text_message("Evidence", "one\ttwo\nthree\r\nfour\rfive") is None
    assert clean_text("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


@pytest.mark.no_database
@pytest.mark.parametrize("breaking", ["\n", "\r", "\r\n", "\u2028"])
def test_a_line_or_a_name_is_one_line(breaking: str) -> None:
    assert text_message("The subject", f"a{breaking}b", kind="line") == "The subject must be on one line"
    assert text_message("The name", f"a{breaking}b", kind="name") == "The name must be on one line"


@pytest.mark.no_database
@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_name_refuses_bidi_overrides_isolates_and_zero_width_characters(hidden: str) -> None:
    assert text_message("The name", f"Ann{hidden}Smith", kind="name") == (
        "The name must not contain invisible or text-direction characters")
    assert text_message("Evidence", f"Ann{hidden}Smith") is None  # text may quote Arabic, Hebrew...


@pytest.mark.no_database
def test_every_text_has_a_limit_and_letters_of_every_script_are_fine() -> None:
    assert text_message("The name", "x" * 201, kind="name") == (
        "The name must be 200 characters or fewer")
    assert text_message("Evidence", "x" * 5001) == "Evidence must be 5000 characters or fewer"
    assert text_message("Evidence", "x" * 9, limit=8) == "Evidence must be 8 characters or fewer"
    assert text_message("The name", "Siân O'Brien-Łukasz 李 محمد", kind="name") is None
    assert text_problems("evidence", "a\x00", label="Evidence") == [
        Problem("evidence", "Evidence must not contain control characters")]


@pytest.mark.no_database
def test_the_returns_rules_refuse_control_characters_in_evidence_comments_and_actions() -> None:
    assert evidence_problems("1", "Minutes\x00") == [
        "The evidence for standard 1 must not contain control characters"]
    answer = AnswerInput("1.1", "inadequate", comment="ok\x1b[31m",
                         na_reason="\x85", action=ActionInput("fix\x0c", "Ann\nLee", date(2027, 1, 1)))
    assert {p.part: p.message for p in limit_problems(answer)} == {
        "comment": "The comment for question 1.1 must not contain control characters",
        "reason": "The reason for question 1.1 must not contain control characters",
        "what": "The action for question 1.1 must not contain control characters",
        "who": "Who will do it for question 1.1 must be on one line"}


def test_a_request_answer_with_a_nul_or_a_control_character_is_refused_on_its_field(
    db: Session
) -> None:
    made = agencies(db, {"Health": ["Riverside NHS Trust"]})
    request = send(db)
    recipient = next(r for r in request.recipients
                     if r.agency_id == made["Riverside NHS Trust"].id)
    question = next(q for q in request.questions if q.kind == "text")
    values = {q.id: {"text": "Half-day", "yes_no": "yes", "choice": "Every 3 years"}[q.kind]
              for q in request.questions}
    for bad in ("Half\x00day", "Half\x02day"):
        with pytest.raises(RequestRejected) as refused:
            answer_request(db, recipient, {**values, question.id: bad},
                           now=datetime(2018, 5, 2, 9))
        assert refused.value.field == f"q_{question.id}"
        assert str(refused.value) == (f"The answer to question {question.position} must not "
                                      "contain control characters")
    answer_request(db, recipient, {**values, question.id: "Half\r\nday"},
                   now=datetime(2018, 5, 2, 9))
    db.commit()
    stored = db.scalar(select(RequestAnswer.value).where(RequestAnswer.question_id == question.id))
    assert stored == "Half\nday"


@pytest.mark.parametrize("name", ["Riverside\u0085Trust", "Riverside\u202eTrust", "River\x00side"])
def test_an_agency_name_with_c1_bidi_or_nul_is_refused_by_adding_and_importing(
    db: Session, name: str
) -> None:
    sector = factories.sector(db, "Health")
    details = register.AgencyDetails(name=name, sector_id=sector.id, contact_name="Ann Lee",
                                     email="ann@example.org")
    with pytest.raises(Invalid) as refused:
        register.add_agency(db, details)
    assert refused.value.problems[0].field == "name"
    assert refused.value.problems[0].message.startswith("The agency name must not contain")
    with pytest.raises(ImportRejected) as rejected:
        register.import_agencies(db, "name,sector,email,contact_name,cohort\n"
                                     f"{name},Health,ann@example.org,Ann Lee,A\n")
    assert "line 2: the agency name must not contain" in str(rejected.value.errors[0])
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Agency)) == 0


@pytest.mark.parametrize("name", ["Ann\r\nBcc: x@example.org", "Ann\u202eLee", "Ann\x00"])
def test_a_user_name_with_a_line_break_bidi_override_or_nul_is_refused(
    db: Session, name: str
) -> None:
    with pytest.raises(Invalid) as refused:
        accounts.create_user(db, email="ann@example.org", role=Role.MANAGER.value, name=name,
                             links=LINKS, now=datetime(2026, 11, 30, 9),
                             scope=partnerships.only_scope(db))
    assert [p.field for p in refused.value.problems] == ["name"]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_a_recommendation_owner_is_a_name_and_its_text_refuses_control_characters(
    db: Session, tool: object
) -> None:
    cycle = issue(db)
    new = NewRecommendation(text="Train\x07staff", standards=[], owner_kind="chair",
                            owner_name="Independent\u200bChair", due_on=date(2027, 6, 1))
    with pytest.raises(Invalid) as refused:
        recommendations.record_recommendation(db, cycle, new, now=datetime(2026, 11, 30, 9))
    assert {p.field for p in refused.value.problems} == {"text", "owner_name"}
