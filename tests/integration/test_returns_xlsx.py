"""The offline spreadsheet: download, fill, upload; all or nothing with cell references."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Answer, Role
from portal.services.returns import get_return, saved_answers
from tests import factories
from tests.conftest import sign_in
from tests.integration.returns_helpers import codes_by_standard, issue, return_of, text_of
from tests.support import csrf_from

GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate", "Not applicable"]


@pytest.fixture
def school(client: FlaskClient, db: Session, tool: Any) -> tuple[int, dict[str, list[str]]]:
    agency = factories.agency(db, "Oakwood Academy", sector_name="Schools and colleges",
                              variant="schools")
    user = factories.user(db, Role.AGENCY, agency=agency)
    return_id = return_of(db, agency, issue(db)).id
    db.commit()
    sign_in(client, user)
    return return_id, codes_by_standard(tool, "schools")


def download(client: FlaskClient, return_id: int) -> Any:
    response = client.get(f"/agency/returns/{return_id}/spreadsheet")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def upload(client: FlaskClient, return_id: int, book: Any) -> Any:
    url = f"/agency/returns/{return_id}/spreadsheet/upload"
    buffer = io.BytesIO()
    book.save(buffer)
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token,
                                  "file": (io.BytesIO(buffer.getvalue()), "return.xlsx")},
                       content_type="multipart/form-data")


def fill(book: Any, codes: dict[str, list[str]]) -> dict[str, str]:
    """Every question graded (cycling through the grades), with reasons and actions as needed."""
    chosen = {}
    for n, (standard, questions) in enumerate(codes.items()):
        sheet = book[f"Standard {standard}"]
        sheet["B2"] = f"Evidence for {standard}"
        for offset, code in enumerate(questions):
            row = 4 + offset
            assert sheet[f"A{row}"].value == code
            grade = GRADES[(n + offset) % len(GRADES)]
            sheet[f"C{row}"] = grade
            chosen[code] = grade
            if grade == "Not applicable":
                sheet[f"D{row}"] = "We have no such service"
            if grade in ("Requires improvement", "Inadequate"):
                sheet[f"F{row}"], sheet[f"G{row}"] = f"Fix {code}", "Head teacher"
                sheet[f"H{row}"] = datetime(2027, 6, 30)
    return chosen


def test_spreadsheet_round_trip_equals_the_answers(
    client: FlaskClient, db: Session, school: tuple[int, dict[str, list[str]]]
) -> None:
    return_id, codes = school
    book = download(client, return_id)
    sheet = book["Standard 6"]
    assert sheet["I3"].value == "Outstanding looks like" and sheet["I4"].value
    assert any("C4" in str(v.sqref) for v in sheet.data_validations.dataValidation)
    chosen = fill(book, codes)

    response = upload(client, return_id, book)
    assert response.status_code == 302, text_of(response)[:3000]

    answers, evidence = saved_answers(db, get_return(db, return_id, agency_id=None))
    assert {c: a.grade for c, a in answers.items()} == {
        c: g.lower().replace(" ", "_") for c, g in chosen.items()}
    assert evidence == {s: f"Evidence for {s}" for s in codes}
    weak = [a for a in answers.values() if a.is_weak]
    assert weak and all(a.action.by_when == date(2027, 6, 30) for a in weak)
    again = download(client, return_id)
    for standard, questions in codes.items():
        sheet = again[f"Standard {standard}"]
        assert sheet["B2"].value == f"Evidence for {standard}"
        assert [sheet[f"C{4 + i}"].value for i in range(len(questions))] == [
            chosen[c] for c in questions]


def test_a_bad_grade_is_rejected_with_its_cell_and_nothing_is_saved(
    client: FlaskClient, db: Session, school: tuple[int, dict[str, list[str]]]
) -> None:
    return_id, codes = school
    book = download(client, return_id)
    fill(book, codes)
    book["Standard 6"]["C4"] = "Excellent"

    response = upload(client, return_id, book)

    assert response.status_code == 400
    page = text_of(response)
    assert "Sheet 'Standard 6' cell C4: 'Excellent' is not a grade" in page
    assert "Nothing was saved" in page
    assert db.scalars(select(Answer)).all() == []


def test_missing_reason_and_action_are_reported_by_cell(
    client: FlaskClient, db: Session, school: tuple[int, dict[str, list[str]]]
) -> None:
    return_id, _ = school
    book = download(client, return_id)
    book["Standard 1"]["C4"] = "Not applicable"
    book["Standard 1"]["C5"] = "inadequate"
    book["Standard 1"]["H5"] = "someday"
    page = text_of(upload(client, return_id, book))
    assert "Sheet 'Standard 1' cell D4: Enter why question 1.1 is not applicable" in page
    assert "Sheet 'Standard 1' cell F5: Enter what will be done about question 1.2" in page
    assert "Sheet 'Standard 1' cell H5: 'someday' is not a date" in page
    assert db.scalars(select(Answer)).all() == []


def test_text_that_looks_like_a_formula_stays_text_and_survives_the_round_trip(
    client: FlaskClient, db: Session, school: tuple[int, dict[str, list[str]]]
) -> None:
    return_id, codes = school
    book = download(client, return_id)
    fill(book, codes)
    book["Standard 1"]["B2"] = "=HYPERLINK(\"http://example.org\",\"see policy\")"
    book["Standard 1"]["B2"].data_type = "s"
    book["Standard 1"]["E4"] = "=1+1 is how we count"
    book["Standard 1"]["E4"].data_type = "s"
    assert upload(client, return_id, book).status_code == 302

    again = download(client, return_id)
    evidence, comment = again["Standard 1"]["B2"], again["Standard 1"]["E4"]
    assert (evidence.data_type, comment.data_type) == ("s", "s")  # shown as text, never run
    assert evidence.value == "=HYPERLINK(\"http://example.org\",\"see policy\")"
    assert comment.value == "=1+1 is how we count"
    assert upload(client, return_id, again).status_code == 302
    _, saved_evidence = saved_answers(db, get_return(db, return_id, agency_id=None))
    assert saved_evidence["1"] == "=HYPERLINK(\"http://example.org\",\"see policy\")"
