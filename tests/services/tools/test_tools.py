"""The bundled Compact Audit tool and its validator."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from portal.services import tools

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

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


SHORT_JARGON = re.compile(r"\b(board|budget|business plan|single central record)\b", re.I)


def _short_texts(edition: dict[str, Any]) -> list[tuple[str, str]]:
    """Every text the short tool shows, in its own words: (where, text)."""
    texts = []
    for standard in edition["standards"]:
        short = [q for q in standard["questions"] if "short" in q["variants"]]
        if short:
            words = standard["wording"]["short"]
            texts.append((f"standard {standard['code']}", f"{words['title']}. {words['summary']}"))
        for q in short:
            words = q["wording"]["short"]
            texts.append((q["code"], words["text"]))
            texts += [(f"{q['code']} {grade}", text) for grade, text in words["descriptors"].items()]
    return texts


def test_short_tool_is_in_plain_english_a_volunteer_can_read(edition: dict[str, Any]) -> None:
    import textstat  # type: ignore[import-untyped]

    texts = _short_texts(edition)
    assert len(texts) > 90  # every question and descriptor has the short tool's own words
    hard = [(where, round(textstat.flesch_reading_ease(text)), text) for where, text in texts
            if textstat.flesch_reading_ease(text) < 60]
    assert hard == []
    jargon = [(where, text) for where, text in texts if SHORT_JARGON.search(text)]
    assert jargon == []
    lado = [where for where, text in texts if "LADO" in text]
    assert all("Designated Officer" in dict(texts)[where] or "officer" in dict(texts)[where]
               for where in lado)


def test_short_tool_fits_on_at_most_six_pages_with_every_standard(edition: dict[str, Any]) -> None:
    pages = edition["pages"]["short"]
    assert len(pages) <= 5  # and the check page makes six at most
    assert sorted(c for p in pages for c in p["standards"]) == sorted(
        s["code"] for s in edition["standards"])


def test_validator_names_a_missing_short_wording_and_a_bad_page_list(
        edition: dict[str, Any]) -> None:
    data = copy.deepcopy(edition)
    data["standards"][0]["questions"][0]["wording"]["short"].pop("text")
    data["standards"][0]["questions"][0]["wording"]["short"]["descriptors"].pop("good")
    data["pages"]["short"][0]["standards"].remove("1")
    problems = "\n".join(tools.validate_tool(data))
    assert "question 1.1: wording for short is missing 'text'" in problems
    assert "question 1.1: wording for short must give text for every descriptor" in problems
    assert "pages for short: must list every standard exactly once" in problems


def test_earlier_edition_without_short_wording_stays_valid() -> None:
    data, _ = tools.read_tool_file(tools.TOOLS_DIR / "compact-audit-2026.1.json")
    assert tools.validate_tool(data) == []
