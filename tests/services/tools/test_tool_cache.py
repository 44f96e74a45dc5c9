"""A tool version is loaded once per process: the task list and a save read no tool rows after
the first request, the cached copy equals the rows, and another database never sees it."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal import migrate
from portal.db import Database, get_db
from portal.models import Role, ToolVersion
from portal.services import tools
from tests.support import factories, page_text, sign_in, url_for
from tests.support.returns_helpers import (
    answers_form,
    codes_by_standard,
    issue,
    post_standard,
    return_of,
)

TOOL_TABLES = ("questions", "standards", "grade_descriptors", "tool_versions")


def _statements(app: Flask, work: Any) -> list[str]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = get_db(app).engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _reads_tool_rows(statements: list[str]) -> list[str]:
    return [s for s in statements
            if any(f"FROM {t}" in s or f"JOIN {t}" in s for t in TOOL_TABLES[:3])
            and not s.lstrip().upper().startswith(("UPDATE", "INSERT"))
            and "answers" not in s and "actions" not in s and "evidence" not in s]


def test_task_list_and_save_read_no_tool_rows_after_the_first_request(
        app: Flask, db: Session, tool: ToolVersion) -> None:
    agency = factories.agency(db)
    return_ = return_of(db, agency, issue(db))
    user = factories.user(db, Role.AGENCY, agency=agency)
    db.commit()
    client = app.test_client()
    sign_in(client, user)
    url = url_for(app, "agency.return_page", return_id=return_.id)
    first = _statements(app, lambda: client.get(url))
    assert _reads_tool_rows(first), "the first request loads the tool"

    data = answers_form(codes_by_standard(tool, return_.variant)["1"])
    later = _statements(app, lambda: (client.get(url), client.get(f"{url}/standards/1"),
                                      post_standard(client, f"{url}/standards/1", data)))
    assert _reads_tool_rows(later) == []
    page = page_text(client.get(url))
    assert "1 of 12 standards" in page or "completed 1 of" in page


def test_the_cached_outline_equals_the_rows(db: Session, tool: ToolVersion) -> None:
    outline = tools.tool_outline(db, tool)
    loaded = tools.get_tool(db, tool.version)
    assert [s.code for s in outline.standards] == [s.code for s in loaded.standards]
    for standard, row in zip(outline.standards, loaded.standards, strict=True):
        assert (standard.id, standard.title, standard.summary, standard.short_title) == (
            row.id, row.title, row.summary, row.short_title)
        for question, q_row in zip(standard.questions, row.questions, strict=True):
            assert (question.id, question.code, question.text, question.variants,
                    question.short_text) == (q_row.id, q_row.code, q_row.text, q_row.variants,
                                             q_row.short_text)
            assert [(d.grade, d.text_for("short"), d.text_for("full"))
                    for d in question.descriptors] == [
                (d.grade, d.text_for("short"), d.text_for("full")) for d in q_row.descriptors]
    assert tools.tool_outline(db, tool) is outline  # one copy per process


def test_another_database_with_the_same_ids_gets_its_own_outline(
        db: Session, tool: ToolVersion) -> None:
    data, _ = tools.read_tool_file(tools.CURRENT_EDITION)
    data["standards"][0]["title"] = "A different first standard"
    ours = tools.tool_outline(db, tool)
    with tempfile.TemporaryDirectory() as folder:
        changed = Path(folder) / "tool.json"
        changed.write_text(json.dumps(data))
        url = f"sqlite:///{Path(folder) / 'other.sqlite3'}"
        migrate.upgrade(url)
        other = Database(url)
        try:
            with other.transaction() as session:
                tools.load_tool(session, changed)
                their_tool = tools.latest_tool(session)
                assert their_tool is not None
                theirs = tools.tool_outline(session, their_tool)
                assert theirs.standards[0].title == "A different first standard"
        finally:
            other.engine.dispose()
    assert ours.standards[0].title != "A different first standard"
    assert tools.tool_outline(db, tool).standards[0].title == ours.standards[0].title
