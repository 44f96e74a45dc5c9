"""Survey results: small numbers hidden, corroboration gaps, the CLI's CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from portal.services import survey
from tests.support import survey_fixture


def test_agency_results_are_hidden_with_nine_responses_and_shown_rounded_with_ten(
        db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={"G1": 9, "G2": 12})
    survey_fixture.close(db, known)
    results = {a.agency: a for a in survey.survey_results(db, known.cycle).agencies}
    nine, twelve = results["Health agency G1"], results["GP practices agency G2"]
    assert (nine.responses, nine.shown, nine.gaps, nine.role_bands) == (10, False, [], {})
    assert nine.as_dict()["statements"] == [] and nine.as_dict()["gaps"] == []
    assert (twelve.responses, twelve.shown) == (10, True)  # 12, rounded to base 5
    assert twelve.role_bands == {"frontline": 10}
    assert twelve.as_dict()["statements"][0] == {"code": "S1", "agree": 10, "partly": 0,
                                                 "disagree": 0, "dont_know": 0}


def test_nothing_is_released_while_the_survey_is_open(db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    results = survey.survey_results(db, known.cycle)
    assert not results.released and not any(a.shown or a.gaps for a in results.agencies)
    assert results.partnership.statements[0].total == 0 and results.partnership.responses == 0
    survey_fixture.close(db, known)
    assert survey.survey_results(db, known.cycle).released


def test_good_self_grades_that_staff_disagree_with_are_corroboration_gaps(
        db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    survey_fixture.close(db, known)
    results = survey.survey_results(db, known.cycle)
    gaps = {a.agency: [(g.question, g.self_grade, round(g.agree_share, 2)) for g in a.gaps]
            for a in results.agencies}
    assert gaps == {
        "GP practices agency G2": [("9.1", "good", 0.0), ("5.1", "good", 0.4), ("5.2", "good", 0.4)],
        "Health agency G1": [("3.1", "good", 0.0), ("9.1", "good", 0.0)],
        "Health agency N0": [],
        "Health agency OK": [],
        "Voluntary and community agency F4": [],  # 9 responses: never shown, so no gaps
    }
    assert [a.agency for a in results.by_gaps()] == [
        "GP practices agency G2", "Health agency G1", "Health agency OK"]
    sectors = {s.name: (s.responses, s.agencies_shown, s.gaps) for s in results.sectors}
    assert sectors == {"GP practices": (10, 1, 3), "Health": (20, 2, 2),
                       "Voluntary and community": (0, 0, 0)}
    # sector and partnership figures pool only the agencies shown: F4's 9 "disagree" are not in
    s1 = results.partnership.statements[0]
    assert (s1.counts["agree"], s1.counts["disagree"]) == (20, 10)


def test_survey_cli_prints_links_as_csv_and_results_as_json(
        app: Flask, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    survey_fixture.close(db, known)
    runner = app.test_cli_runner()
    links = runner.invoke(args=["survey", "links", "--cycle", "2026-27"])
    assert links.exit_code == 0, links.output
    rows = list(csv.DictReader(io.StringIO(links.output)))
    assert [r["agency"] for r in rows] == sorted(a.name for a in known.agencies.values())
    assert all(r["url"].startswith("http://portal.test/survey/") and len(r["url"]) > 50
               for r in rows)
    again = runner.invoke(args=["survey", "links", "--cycle", "2026-27"])
    assert again.output == links.output  # made once, then the same links

    printed = runner.invoke(args=["survey", "results", "--cycle", "2026-27", "--format", "json"])
    assert printed.exit_code == 0, printed.output
    data = json.loads(printed.output)
    assert (data["cycle"], data["min_responses"], data["released"]) == ("2026-27", 10, True)
    by_name = {a["agency"]: a for a in data["agencies"]}
    assert set(by_name["Health agency G1"]) == {"agency", "sector", "responses", "shown",
                                                 "statements", "gaps"}
    assert by_name["Health agency G1"]["gaps"] == [
        {"question": "3.1", "self_grade": "good", "agree_share": 0.0},
        {"question": "9.1", "self_grade": "good", "agree_share": 0.0}]
    hidden = by_name["Voluntary and community agency F4"]
    assert (hidden["responses"], hidden["shown"], hidden["statements"], hidden["gaps"]) == (
        10, False, [], [])


def test_tools_load_stores_the_statements_and_tools_show_prints_them(
        app: Flask, tmp_path: Path) -> None:
    path = survey_fixture.survey_tool_file(tmp_path)
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["tools", "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    shown = runner.invoke(args=["tools", "show", "--format", "json", "--version", "survey-test"])
    statements = json.loads(shown.output)["statements"]
    assert len(statements) == 12
    assert statements[1] == {"code": "S2", "text": "I have had safeguarding training in the last "
                             "three years.", "questions": ["5.1", "5.2"]}
