"""Uploaded spreadsheets are parsed safely: bounded, defused, validated like the web form (issue 11 #2)."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Evidence, Return
from portal.services.common import ImportRejected
from portal.services.returns import read_workbook
from tests.support import bomb, csrf_from, rezip, url_for
from tests.support.returns_helpers import text_of
from tests.support.spreadsheets import download, fill, upload
from tests.support.spreadsheets import school as school


def workbook_bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def post_file(client: FlaskClient, return_id: int, content: bytes) -> Any:
    url = url_for(client.application, "agency.upload", return_id=return_id)
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token,
                                  "file": (io.BytesIO(content), "return.xlsx")},
                       content_type="multipart/form-data")


def peak_memory(work: Callable[[], Any]) -> tuple[Any, int]:
    """What `work` returns, and the most memory Python allocated while it ran."""
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


MEMORY_BOUND = 20 * 1024 * 1024  # far below what unpacking any of these files would take


def test_evidence_over_the_limit_in_a_spreadsheet_is_refused_like_the_web_form(
    client: FlaskClient, db: Session, school: tuple[int, dict[str, list[str]]]
) -> None:
    return_id, codes = school
    book = download(client, return_id)
    fill(book, codes)
    book["Standard 1"]["B2"] = "e" * 20_001
    response = upload(client, return_id, book)
    assert response.status_code == 400
    assert "Sheet 'Standard 1' cell B2" in text_of(response)
    assert "20000 characters or fewer" in text_of(response)
    assert db.scalar(select(func.count()).select_from(Evidence)) == 0


def test_a_decompression_bomb_is_refused_before_it_is_unpacked(
    client: FlaskClient, db: Session, school: tuple[int, dict[str, list[str]]]
) -> None:
    return_id, _ = school
    content = bomb(workbook_bytes(download(client, return_id)))
    assert len(content) < 1_000_000  # a small upload ...
    response, peak = peak_memory(lambda: post_file(client, return_id, content))
    assert response.status_code == 400
    assert "holds far more than a return" in text_of(response)
    assert peak < MEMORY_BOUND  # ... never unpacked through the web (it would take about 1 GB)
    assert client.get(url_for(client.application, "healthz")).status_code == 200

    return_ = db.get(Return, return_id)

    def read() -> None:
        with pytest.raises(ImportRejected):
            read_workbook(db, return_, content, user_id=None, now=datetime(2026, 12, 1))

    _, peak = peak_memory(read)
    assert peak < MEMORY_BOUND  # ... nor by the service


def test_a_spreadsheet_holding_100_mb_of_evidence_is_refused_by_its_size_unread(
    client: FlaskClient, school: tuple[int, dict[str, list[str]]]
) -> None:
    return_id, _ = school
    content = workbook_bytes(download(client, return_id))
    strings = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><si><t>' + b"e" * 100_000_000 + b"</t></si></sst>")
    upload = rezip(content, {"xl/sharedStrings.xml": strings})
    del strings
    response, peak = peak_memory(lambda: post_file(client, return_id, upload))
    assert response.status_code == 400
    assert "holds far more than a return" in text_of(response)
    assert peak < MEMORY_BOUND  # the 100 MB were never unpacked: refused by the size declared


class CountingStream(io.RawIOBase):
    """A `size`-byte request body that counts how many bytes the server reads from it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = self.size + offset if whence == io.SEEK_END else offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer: Any) -> int:
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"x" * n
        self.position += n
        self.read_bytes += n
        return n


def test_an_upload_over_the_size_limit_is_refused_without_being_read(
    app: Flask, client: FlaskClient, school: tuple[int, dict[str, list[str]]]
) -> None:
    return_id, _ = school
    url = url_for(app, "agency.upload", return_id=return_id)
    body = CountingStream(100 * 1024 * 1024)
    response = client.post(url, input_stream=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert body.read_bytes < 1024 * 1024, body.read_bytes  # refused by its declared length


XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
       b'<sheets><sheet name="&x;" sheetId="1" r:id="rId1" xmlns:r="http://schemas.'
       b'openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>')
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                     .encode() for i in range(1, 10))
          + b']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheets><sheet name="&lol9;" sheetId="1" r:id="rId1" xmlns:r="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>')


@pytest.mark.parametrize("damage", ["truncated", "broken workbook.xml", "xxe", "billion laughs",
                                    "not a zip"])
def test_a_malformed_spreadsheet_gets_a_clear_400(
    client: FlaskClient, school: tuple[int, dict[str, list[str]]], damage: str
) -> None:
    return_id, _ = school
    content = workbook_bytes(download(client, return_id))
    damaged = {
        "truncated": lambda: content[: len(content) // 2],
        "broken workbook.xml": lambda: rezip(content, {"xl/workbook.xml": b"<workbook><sheets>"}),
        "xxe": lambda: rezip(content, {"xl/workbook.xml": XXE}),
        "billion laughs": lambda: rezip(content, {"xl/workbook.xml": LAUGHS}),
        "not a zip": lambda: b"PK\x03\x04" + b"\x00" * 100,
    }[damage]()
    response = post_file(client, return_id, damaged)
    assert response.status_code == 400
    assert "must be an Excel spreadsheet (.xlsx) downloaded from this return" in text_of(response)
