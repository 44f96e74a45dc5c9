"""Practitioner-survey statements in the tool data: validated like the rest of the tool."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from portal.services import tools
from tests.support import survey_fixture

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass


@pytest.fixture(scope="module")
def with_statements(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = survey_fixture.survey_tool_file(tmp_path_factory.mktemp("tool"))
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_the_bundled_edition_carries_ten_to_fifteen_valid_survey_statements(
        with_statements: dict[str, Any]) -> None:
    assert tools.validate_tool(with_statements) == []
    assert 10 <= len(with_statements["statements"]) <= 15


def test_unknown_question_codes_and_bad_statements_are_named_and_refused(
        with_statements: dict[str, Any], tmp_path: Path) -> None:
    bad = dict(with_statements)
    bad["statements"] = [
        {"code": "S1", "text": "I know our lead.", "questions": ["3.1", "13.2", "3.9"]},
        {"code": "S1", "text": "", "questions": []},
        {"code": "7", "text": "Fine.", "questions": ["7.1"]},
    ]
    assert tools.validate_tool(bad) == [
        "statement S1: unknown question 13.2, 3.9",
        "statement S1: code used twice",
        "statement S1: missing text",
        "statement S1: questions must be a non-empty list of question codes",
        "statement 7: code must look like S1",
    ]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(tools.ToolInvalid, match=r"unknown question 13\.2, 3\.9"):
        tools.load_tool(None, path)  # type: ignore[arg-type]  # refused before touching a database
