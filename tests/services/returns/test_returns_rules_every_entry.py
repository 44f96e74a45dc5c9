"""One rule for every way answers come in (issue 22): the web's standard page, `flask returns
import` and the spreadsheet upload refuse the same over-long texts with the same message, and
every change they make to a return is in the audit log."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Answer, AuditEvent, Evidence, Return, ReturnStatus
from portal.services.common import Invalid, Problem
from portal.services.returns import (
    AnswerInput,
    ReadMark,
    StandardInput,
    read_mark,
    reopen_return,
    return_pages,
    save_standard,
    standard_parts,
    write_standard,
)
from tests.support import submit_form, url_for
from tests.support.returns_helpers import (
    answers_form,
    issue,
    post_standard,
    return_of,
    slug,
    text_of,
)
from tests.support.spreadsheets import download, fill, upload
from tests.support.spreadsheets import school as school

AGENCY = "Oakwood Academy"  # the `school` fixture's agency, signed in
HEADER = "type,agency,code,grade,comment,na_reason,evidence\n"
School = tuple[int, dict[str, list[str]]]


def csv_import(app: Flask, tmp_path: Path, rows: str) -> Any:
    path = tmp_path / "returns.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["returns", "import", str(path),
                                              "--cycle", "2026-27"])


def stored(db: Session, model: type) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def events(db: Session, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.id)))


def test_evidence_of_30000_characters_is_refused_alike_by_the_web_the_import_and_the_upload(
    app: Flask, client: FlaskClient, db: Session, school: School, tmp_path: Path
) -> None:
    return_id, codes = school
    long = "e" * 30_000
    message = "The evidence for standard 1 must be 20000 characters or fewer"

    web = post_standard(client, url_for(app, "agency.standard", return_id=return_id, code="1"),
                        answers_form(codes["1"], evidence=long))
    assert web.status_code == 400
    assert message in text_of(web)
    assert 'href="#evidence"' in web.get_data(as_text=True)

    imported = csv_import(app, tmp_path, f"answer,{AGENCY},{codes['1'][0]},good,,,\n"
                                         f"evidence,{AGENCY},1,,,,{long}\n")
    assert imported.exit_code != 0
    assert f"Line 3: {message}" in imported.output
    assert "nothing was saved" in imported.output

    book = download(client, return_id)
    fill(book, codes)
    book["Standard 1"]["B2"] = long
    uploaded = upload(client, return_id, book)
    assert uploaded.status_code == 400
    assert f"Sheet 'Standard 1' cell B2: {message}" in text_of(uploaded)

    assert (stored(db, Evidence), stored(db, Answer)) == (0, 0)


def test_a_comment_of_9000_characters_is_refused_alike_by_the_web_the_import_and_the_upload(
    app: Flask, client: FlaskClient, db: Session, school: School, tmp_path: Path
) -> None:
    return_id, codes = school
    code = codes["1"][0]
    long = "c" * 9_000
    message = f"The comment for question {code} must be 5000 characters or fewer"

    web = post_standard(client, url_for(app, "agency.standard", return_id=return_id, code="1"),
                        answers_form(codes["1"], **{f"comment-{slug(code)}": long}))
    assert web.status_code == 400
    assert message in text_of(web)
    assert f'href="#comment-{slug(code)}"' in web.get_data(as_text=True)

    imported = csv_import(app, tmp_path, f"answer,{AGENCY},{code},good,{long},,\n")
    assert imported.exit_code != 0
    assert f"Line 2: {message}" in imported.output

    book = download(client, return_id)
    fill(book, codes)
    book["Standard 1"]["E4"] = long
    uploaded = upload(client, return_id, book)
    assert uploaded.status_code == 400
    assert f"Sheet 'Standard 1' cell E4: {message}" in text_of(uploaded)

    assert stored(db, Answer) == 0


def test_the_import_takes_texts_exactly_at_their_limits(
    app: Flask, db: Session, school: School, tmp_path: Path
) -> None:
    _, codes = school
    code = codes["1"][0]
    result = csv_import(app, tmp_path, f"answer,{AGENCY},{code},good,{'c' * 5000},,\n"
                                       f"evidence,{AGENCY},1,,,,{'e' * 20_000}\n")
    assert result.exit_code == 0, result.output
    db.expire_all()
    assert len(db.scalar(select(Answer.comment)) or "") == 5000
    assert len(db.scalar(select(Evidence.text)) or "") == 20_000


def test_the_save_service_itself_refuses_the_limits_keyed_by_field(
    db: Session, school: School
) -> None:
    return_id, _ = school
    return_ = db.get(Return, return_id)
    assert return_ is not None
    part = return_pages(db, return_)[0]
    code = part.questions[0].code
    data = StandardInput([AnswerInput(code, "good", comment="c" * 5001)], "e" * 20_001)
    with pytest.raises(Invalid) as refused:
        save_standard(db, return_, part, data, read=read_mark(db, return_, part), user_id=None,
                      now=datetime(2026, 11, 20, 9))
    assert refused.value.problems == [
        Problem(f"comment-{slug(code)}",
                f"The comment for question {part.number(code)} must be 5000 characters or fewer"),
        Problem("evidence", f"The evidence for standard {part.standard.code} must be 20000 "
                            "characters or fewer"),
    ]


def test_a_save_that_changes_answers_is_audited_and_one_that_changes_nothing_is_not(
    app: Flask, client: FlaskClient, db: Session, school: School
) -> None:
    return_id, codes = school
    url = url_for(app, "agency.standard", return_id=return_id, code="1")
    assert post_standard(client, url, answers_form(codes["1"])).status_code == 302
    [saved] = events(db, "return.saved")
    assert saved.entity_id == return_id and saved.user_id is not None
    assert saved.detail["standard"] == "1"
    assert saved.detail["changed"] == [*codes["1"], "evidence"]

    assert post_standard(client, url, answers_form(codes["1"])).status_code == 302  # as it was
    assert len(events(db, "return.saved")) == 1

    first = codes["1"][0]
    changed = answers_form(codes["1"], **{f"comment-{slug(first)}": "Checked by the head"})
    assert post_standard(client, url, changed).status_code == 302
    assert [e.detail["changed"] for e in events(db, "return.saved")][1] == [first]


def test_an_upload_and_starting_from_the_previous_return_are_audited(
    app: Flask, client: FlaskClient, db: Session, school: School
) -> None:
    return_id, codes = school
    return_ = db.get(Return, return_id)
    assert return_ is not None
    past = issue(db, label="2024-25", deadline=date(2025, 1, 31))
    old = return_of(db, return_.agency, past)
    for part in standard_parts(db, old):
        write_standard(db, old, part, StandardInput(
            [AnswerInput(q.code, "outstanding") for q in part.questions], "Old evidence"),
            user_id=None, now=datetime(2025, 1, 10))
    old.status = ReturnStatus.SUBMITTED.value
    db.commit()

    url = url_for(app, "agency.return_page", return_id=return_id)
    assert submit_form(client, f"{url}/previous", {}, get_url=url).status_code == 302
    [copied] = events(db, "return.started_from_previous")
    assert copied.entity_id == return_id and copied.detail["previous"] == "2024-25"
    assert copied.detail["copied"] == [c for cs in codes.values() for c in cs]

    book = download(client, return_id)
    fill(book, codes)
    assert upload(client, return_id, book).status_code == 302
    [uploaded] = events(db, "return.uploaded")
    assert uploaded.entity_id == return_id and uploaded.detail["changed"]


def test_a_stale_read_mark_is_still_a_conflict_not_a_rule_problem(
    db: Session, school: School
) -> None:
    """The rules are checked before the version: a bad save never bumps the return."""
    return_id, _ = school
    return_ = db.get(Return, return_id)
    assert return_ is not None
    part = return_pages(db, return_)[0]
    version = return_.version
    with pytest.raises(Invalid):
        save_standard(db, return_, part, StandardInput([], "e" * 20_001),
                      read=ReadMark(version, "x"), user_id=None, now=datetime(2026, 11, 20))
    db.expire_all()
    assert db.get(Return, return_id).version == version  # type: ignore[union-attr]


def test_the_declaration_and_a_reopening_reason_keep_their_limits_in_the_service(
    app: Flask, client: FlaskClient, db: Session, school: School
) -> None:
    return_id, _ = school
    url = url_for(app, "agency.check", return_id=return_id)
    refused = post_standard(client, url, {"name": "N" * 201, "role": "  "})
    assert refused.status_code == 400
    assert "Your full name must be 200 characters or fewer" in text_of(refused)
    assert "Enter your role" in text_of(refused)
    assert 'href="#name"' in refused.get_data(as_text=True)

    return_ = db.get(Return, return_id)
    assert return_ is not None
    return_.status = ReturnStatus.SUBMITTED.value
    db.commit()
    with pytest.raises(Invalid) as too_long:
        reopen_return(db, return_, reason="r" * 2001, user_id=None, now=datetime(2026, 12, 1))
    assert too_long.value.problems == [Problem("reason",
                                               "The reason must be 2000 characters or fewer")]
