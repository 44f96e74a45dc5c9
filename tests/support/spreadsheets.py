"""The offline spreadsheet of a return, through the agency's pages: a signed-in school with its
return (`school`, a fixture), the workbook downloaded, every question filled in, and uploaded."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from portal.models import Role
from tests.support import csrf_from, factories, sign_in, url_for
from tests.support.returns_helpers import codes_by_standard, issue, return_of

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
    response = client.get(url_for(client.application, "agency.spreadsheet", return_id=return_id))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def upload(client: FlaskClient, return_id: int, book: Any) -> Any:
    url = url_for(client.application, "agency.upload", return_id=return_id)
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
