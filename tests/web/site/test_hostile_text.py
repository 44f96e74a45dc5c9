"""Whatever a user can type (issue 24): the findings replayed through the pages, on SQLite and
on PostgreSQL (TEST_DB=postgresql). A NUL in a path is a 404, in a query a 400; a NUL or a
control character in a form is an error on its field (or a 400 page); downloads still work."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agency, Evidence, RequestAnswer, Role, User, utcnow
from portal.services.common import uk_today
from tests.support import csrf_from, factories, sign_in, submit_form
from tests.support.crawling import ACCOUNTS, FORMS_AT_LEAST, SKIP, crawl, forms_on, parsed, sign_in_demo
from tests.support.crawling import demo as demo
from tests.support.request_helpers import agencies, send
from tests.support.returns_helpers import answers_form, post_standard, slug, text_of
from tests.support.spreadsheets import download
from tests.support.spreadsheets import school as school

School = tuple[int, dict[str, list[str]]]
CONTROL = "\x00"
HOSTILE = ["Minutes\x00of the board", "Minutes\x01", "Minutes\x1b[31m", "Minutes\x0cpage 2", "a\x85b"]


def signed_in(app: Flask, user: User, db: Session | None = None) -> FlaskClient:
    if db is not None:
        db.commit()
    client = app.test_client()
    sign_in(client, user)
    return client


def test_a_nul_in_the_survey_link_is_a_404_for_anyone(client: FlaskClient) -> None:
    response = client.get("/survey/%00")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


@pytest.mark.parametrize("evidence", HOSTILE)
def test_evidence_with_a_nul_or_a_control_character_is_refused_on_its_field(
    client: FlaskClient, db: Session, school: School, evidence: str
) -> None:
    return_id, codes = school
    page = post_standard(client, f"/agency/returns/{return_id}/standards/1",
                         answers_form(codes["1"], evidence=evidence))
    assert page.status_code == 400
    assert "The evidence for standard 1 must not contain control characters" in text_of(page)
    assert 'href="#evidence"' in page.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Evidence)) == 0
    assert download(client, return_id)["Standard 1"]["B2"].value in (None, "")


def test_a_comment_with_a_control_character_is_refused_and_crlf_is_saved_as_new_lines(
    client: FlaskClient, db: Session, school: School
) -> None:
    return_id, codes = school
    code = codes["1"][0]
    url = f"/agency/returns/{return_id}/standards/1"
    refused = post_standard(client, url, answers_form(codes["1"], **{
        f"comment-{slug(code)}": "Checked\x08 by the lead"}))
    assert refused.status_code == 400
    assert (f"The comment for question {code} must not contain control characters"
            in text_of(refused))
    assert f'href="#comment-{slug(code)}"' in refused.get_data(as_text=True)

    saved = post_standard(client, url, answers_form(
        codes["1"], evidence="Board minutes\r\nAudit\rPolicy\tv2",
        **{f"comment-{slug(code)}": "Checked\r\nby the lead"}))
    assert saved.status_code == 302, text_of(saved)[:2000]
    book = download(client, return_id)
    assert book["Standard 1"]["B2"].value == "Board minutes\nAudit\nPolicy\tv2"


def _request_with_answerer(db: Session) -> tuple[Any, User, User]:
    made = agencies(db, {"Health": ["Riverside NHS Trust"]})
    request = send(db, now=utcnow(), deadline=uk_today(utcnow()) + timedelta(days=10))
    lead = factories.user(db, Role.AGENCY, agency=made["Riverside NHS Trust"])
    member = factories.user(db, Role.COMMITTEE)
    db.commit()
    return request, lead, member


@pytest.mark.parametrize("answer", ["Half\x00day", "Half\x02day", "Half\x9bday"])
def test_a_request_answer_with_a_nul_or_a_control_character_is_refused_on_its_field(
    app: Flask, db: Session, answer: str
) -> None:
    request, lead, _ = _request_with_answerer(db)
    text, yes_no, choice = request.questions
    data = {f"q_{text.id}": answer, f"q_{yes_no.id}": "yes", f"q_{choice.id}": "Every year"}
    page = submit_form(signed_in(app, lead), f"/agency/requests/{request.id}", data)
    assert page.status_code == 200
    assert "The answer to question 1 must not contain control characters" in text_of(page)
    assert f'href="#q_{text.id}"' in page.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(RequestAnswer)) == 0


def test_the_committees_request_workbook_opens_after_an_answer_with_crlf(
    app: Flask, db: Session
) -> None:
    request, lead, member = _request_with_answerer(db)
    text, yes_no, choice = request.questions
    done = submit_form(signed_in(app, lead), f"/agency/requests/{request.id}",
                       {f"q_{text.id}": "Level 2\r\nrefreshed", f"q_{yes_no.id}": "yes",
                        f"q_{choice.id}": "Every year"})
    assert done.status_code == 302
    workbook = signed_in(app, member).get(f"/requests/{request.id}/responses.xlsx")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.data))
    assert "Level 2\nrefreshed" in [c.value for row in book["Responses"].iter_rows()
                                    for c in row]


QUERY_PAGES = {
    Role.MANAGER: ["/manager/agencies", "/manager/returns/", "/cycles/", "/cycles/escalations",
                   "/reports/", "/chasers/", "/requests/new", "/recommendations/"],
    Role.COMMITTEE: ["/cycles/", "/cycles/escalations", "/reports/", "/requests/",
                     "/recommendations/", "/survey-results/"],
}


@pytest.mark.parametrize("role", list(QUERY_PAGES))
def test_a_nul_in_a_query_value_or_field_name_is_a_400_on_manager_and_committee_pages(
    app: Flask, db: Session, role: Role
) -> None:
    client = signed_in(app, factories.user(db, role), db)
    for url in QUERY_PAGES[role]:
        for query in ({"q": "a\x00"}, {"sector": "\x00"}, {"cycle": "1\x00"}, {"a\x00b": "1"},
                      {"page": "\x00"}, {"agency": "\x00", "version": "\x00"}):
            response = client.get(url, query_string=query)
            assert response.status_code == 400, (url, query, response.status_code)
            assert "must not contain control characters" in text_of(response)


@pytest.mark.parametrize("page", ["99999999999999999999", "2147483648", "-5", "1e9", "\u0661"])
def test_a_huge_page_number_on_the_managers_returns_is_the_first_page(
    app: Flask, db: Session, page: str
) -> None:
    client = signed_in(app, factories.user(db, Role.MANAGER), db)
    assert client.get("/manager/returns/", query_string={"page": page}).status_code == 200
    assert client.get("/manager/agencies", query_string={"page": page}).status_code == 200


def _user_form(name: str) -> dict[str, str]:
    return {"email": "ann.lee@example.org", "name": name, "role": "manager", "agency": ""}


@pytest.mark.parametrize(("name", "message"), [
    ("Ann Lee\r\nBcc: all@example.org", "The name must be on one line"),
    ("Ann Lee\nX", "The name must be on one line"),
    ("Ann \u202eeeL", "The name must not contain invisible or text-direction characters"),
    ("Ann\u200bLee", "The name must not contain invisible or text-direction characters"),
    ("Ann\x00Lee", "The name must not contain control characters"),
])
def test_a_user_name_with_a_line_break_bidi_override_or_nul_is_refused_on_its_field(
    app: Flask, db: Session, name: str, message: str
) -> None:
    client = signed_in(app, factories.user(db, Role.MANAGER), db)
    page = submit_form(client, "/manager/users/new", _user_form(name))
    assert page.status_code in (200, 400)
    assert message in text_of(page)
    assert 'href="#name"' in page.get_data(as_text=True)
    assert db.scalar(select(User).where(User.email == "ann.lee@example.org")) is None


@pytest.mark.parametrize("name", ["Riverside\u0085Trust", "Riverside\u202eTrust",
                                  "Riverside\x00Trust"])
def test_an_agency_name_with_a_c1_control_bidi_override_or_nul_is_refused_on_its_field(
    app: Flask, db: Session, name: str
) -> None:
    sector = factories.sector(db, "Health")
    client = signed_in(app, factories.user(db, Role.MANAGER), db)
    page = submit_form(client, "/manager/agencies/new", {
        "name": name, "sector": str(sector.id), "contact_name": "Ann Lee",
        "email": "ann@example.org", "cohort": "", "variant": ""})
    assert page.status_code in (200, 400)
    assert "The agency name must not contain" in text_of(page)
    assert 'href="#name"' in page.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Agency)) == 0


def test_a_nul_in_a_form_no_service_checks_is_a_400_page_not_a_500(
    app: Flask, db: Session
) -> None:
    client = signed_in(app, factories.user(db, Role.MANAGER), db)
    response = submit_form(client, "/cycles/new", {"label": "2027\x00-28", "cohort": "A"})
    assert response.status_code == 400
    assert "What you entered must not contain control characters" in text_of(response)


def test_the_csv_imports_refuse_nul_and_control_characters_by_line_and_save_nothing(
    app: Flask, db: Session, school: School, tmp_path: Path
) -> None:
    _, codes = school
    code = codes["1"][0]
    returns_csv = tmp_path / "returns.csv"
    returns_csv.write_text("type,agency,code,grade,comment,na_reason,evidence\n"
                           f"answer,Oakwood Academy,{code},good,ok\x00,,\n"
                           "evidence,Oakwood Academy,1,,,,Minutes\x1b[31m\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["returns", "import", str(returns_csv),
                                                "--cycle", "2026-27"])
    assert result.exit_code != 0
    assert (f"Line 2: The comment for question {code} must not contain control characters"
            in result.output)
    assert "Line 3: The evidence for standard 1 must not contain control characters" in result.output

    agencies_csv = tmp_path / "agencies.csv"
    agencies_csv.write_text("name,sector,email,contact_name,cohort\n"
                            "Riverside\u0085Trust,Health,a@example.org,Ann Lee,A\n"
                            "Valley,Health,b@example.org,Bo\x00Chan,B\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["agencies", "import", str(agencies_csv)])
    assert result.exit_code != 0
    assert "line 2: the agency name must not contain control characters" in result.output
    assert "line 3: the contact name must not contain control characters" in result.output
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Evidence)) == 0
    assert [a.name for a in db.scalars(select(Agency))] == ["Oakwood Academy"]


def _filled(body: str, action: str) -> dict[str, str]:
    """The values a form on the page holds as shown (its inputs' and the first of each select's)."""
    for form in parsed(body).find_all("form", action=action):
        values: dict[str, str] = {}
        for field in form.find_all("input", attrs={"name": True}):
            kind = field.get("type") or "text"
            if kind not in ("file", "submit") and (
                    kind not in ("radio", "checkbox") or field.has_attr("checked")):
                values.setdefault(str(field["name"]), str(field.get("value") or ""))
        for chooser in form.find_all("select", attrs={"name": True}):
            first = chooser.find("option", attrs={"value": True})
            values.setdefault(str(chooser["name"]), str(first["value"]) if first else "")
        return values
    return {}


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("role", "email"), ACCOUNTS, ids=[role for role, _ in ACCOUNTS])
def test_a_nul_in_any_field_of_every_form_each_role_reaches_is_never_a_500(
        app: Flask, role: str, email: str) -> None:
    """One field at a time holds a NUL, the others what the page showed: on PostgreSQL a NUL
    that reaches the database would be a 500. One test a role (each on its own copy of the demo),
    so that the two workers share the roles out."""
    posted = set()
    client = app.test_client()
    sign_in_demo(client, email)
    for url, body in crawl(client, client.get("/").headers["Location"]).items():
        for action, fields in forms_on(url, body):
            shape = re.sub(r"\d+", "N", action)
            if shape in posted or SKIP.search(action):
                continue
            posted.add(shape)
            shown = {**_filled(body, action), "csrf_token": csrf_from(body)}
            for name in (n for n, kind in fields.items() if kind != "file"):
                response = client.post(action, data={**shown, name: "a\x00b"})
                assert response.status_code < 500, (action, name)
    assert len(posted) >= FORMS_AT_LEAST[role]
