"""The offline spreadsheet: download, fill, upload; all or nothing with cell references."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Answer
from portal.services.returns import get_return, saved_answers
from tests.support.returns_helpers import text_of
from tests.support.spreadsheets import download, fill, upload
from tests.support.spreadsheets import school as school


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
