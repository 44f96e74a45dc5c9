"""The bundled Compact Audit tool and its validator."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from portal.services import tools

EXPECTED_TITLES = [
    "Leadership and accountability", "Policies and procedures", "Designated safeguarding leads",
    "Voice of the child", "Safeguarding training", "Safer recruitment",
    "Managing allegations (LADO)", "Supervision and support",
    "Information sharing and inter-agency working", "Early help", "Disabled children",
    "Equality of opportunity",
]


@pytest.fixture(scope="module")
def edition() -> dict[str, Any]:
    data, _ = tools.read_tool_file(tools.CURRENT_EDITION)
    return data


def test_bundled_edition_is_valid(edition: dict[str, Any]) -> None:
    assert tools.validate_tool(edition) == []


def test_bundled_edition_has_the_twelve_standards_in_order(edition: dict[str, Any]) -> None:
    assert [s["code"] for s in edition["standards"]] == [str(n) for n in range(1, 13)]
    assert [s["title"] for s in edition["standards"]] == EXPECTED_TITLES


def test_every_standard_has_three_to_six_questions(edition: dict[str, Any]) -> None:
    for standard in edition["standards"]:
        assert 3 <= len(standard["questions"]) <= 6, standard["code"]


def test_schools_only_questions_cover_section_175(edition: dict[str, Any]) -> None:
    schools_only = [q for s in edition["standards"] for q in s["questions"]
                    if q["variants"] == ["schools"]]
    text = " ".join(q["text"].lower() for q in schools_only)
    assert len(schools_only) == 3
    assert "senior leadership" in text and "governing" in text and "filtering" in text


def test_short_variant_is_a_subset_of_at_most_twenty(edition: dict[str, Any]) -> None:
    short = [q for s in edition["standards"] for q in s["questions"] if "short" in q["variants"]]
    assert 1 <= len(short) <= 20
    assert all("full" in q["variants"] for q in short)


def test_required_topics_are_asked(edition: dict[str, Any]) -> None:
    def questions(code: str) -> str:
        standard = next(s for s in edition["standards"] if s["code"] == code)
        return " ".join(q["text"].lower() for q in standard["questions"])

    assert "whistleblowing" in questions("2") and "escalat" in questions("2")
    assert "agency staff" in questions("6") or "temporary" in questions("6")
    assert re.search(r"recruit\w* .*train|train\w* .*recruit", questions("6"))
    assert "equality impact assessment" in questions("12")
    assert "communicat" in questions("11") and "refer" in questions("11")


def _broken(edition: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(edition)
    data["standards"][0]["questions"][0]["code"] = "2.1"  # wrong standard
    data["standards"][1]["questions"][0]["descriptors"].pop("good")
    data["standards"][2]["questions"][0]["variants"] = ["everyone"]
    data["standards"][3]["questions"] = []
    return data


def test_validator_names_every_problem(edition: dict[str, Any]) -> None:
    problems = tools.validate_tool(_broken(edition))
    joined = "\n".join(problems)
    assert "question 2.1: code must look like 1.N" in joined
    assert "descriptors must give exactly" in joined
    assert "variants must be" in joined
    assert "standard 4: has no questions" in joined
    assert len(problems) >= 4


def test_validator_rejects_a_short_variant_over_twenty(edition: dict[str, Any]) -> None:
    data = copy.deepcopy(edition)
    for standard in data["standards"]:
        for q in standard["questions"]:
            q["variants"] = sorted(set(q["variants"]) | {"short"})
    assert any("at most 20" in p for p in tools.validate_tool(data))


def test_invalid_json_is_reported_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "tool.json"
    path.write_text('{"version": "x",\n  oops}')
    with pytest.raises(tools.ToolInvalid, match="line 2"):
        tools.read_tool_file(path)


def test_tool_file_round_trips_as_json(edition: dict[str, Any]) -> None:
    assert json.loads(json.dumps(edition)) == edition
