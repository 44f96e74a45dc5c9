"""`flask reports annual` on the demo: a Word file whose figures equal the MESC report's JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from tests.support import factories, page_text, sign_in, url_for

CYCLE = "2025-26"


def _cli(app: Flask, *args: str) -> str:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def _pct(part: int, whole: int, rounded: float) -> str:
    """The percentage as the reports print it, from the JSON's counts (checked against the JSON's
    4-place fraction, which a 1-place percentage of it would round twice)."""
    assert abs(part / whole - rounded) <= 0.00005
    return f"{part / whole * 100:.1f}%"


def _docx_text(path: Path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(c.text for c in row.cells) for row in table.rows]
    return "\n".join(parts)


def test_the_annual_section_from_the_demo_matches_the_mesc_report(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    _cli(app, "demo", "load", "--now", "2026-11-28T09:00")
    _cli(app, "reports", "sector", "--cycle", CYCLE, "--format", "json",
         "--out", str(tmp_path / "mesc.json"))
    _cli(app, "reports", "annual", "--cycle", CYCLE, "--format", "docx",
         "--out", str(tmp_path / "annual.docx"))
    mesc: dict[str, Any] = json.loads((tmp_path / "mesc.json").read_text())
    text = _docx_text(tmp_path / "annual.docx")
    page = Document(str(tmp_path / "annual.docx")).sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)  # A4, not Letter

    assert (f"{mesc['issued']} agencies (cohort B) were sent the self-assessment tool and "
            f"{mesc['returned']} returned it: a return rate of "
            f"{_pct(mesc['returned'], mesc['issued'], mesc['return_rate'])}.") in text
    for earlier in mesc["previous_cycles"]:
        rate = _pct(earlier["returned"], earlier["issued"], earlier["return_rate"])
        assert (f"{earlier['cycle']}, {rate} ({earlier['returned']} of "
                f"{earlier['issued']})") in text
    top = mesc["non_returners_by_sector"][0]
    missing = sum(s["count"] for s in mesc["non_returners_by_sector"])
    assert missing == mesc["issued"] - mesc["returned"]
    assert (f"{missing} agencies did not return the tool. The largest group was the "
            f"{top['sector']} sector: {top['count']} agencies, "
            f"{_pct(top['count'], missing, top['share'])} of all non-returners.") in text
    graded = [s for s in mesc["standards"] if s["graded"]][:3]
    for s in graded:
        weakness = _pct(s["weak"], s["graded"], s["weakness"])
        assert (f"{s['code']}. {s['title']}: {weakness} ({s['weak']} of {s['graded']} "
                f"graded answers requires improvement or inadequate; {s['not_applicable']} N/A "
                f"and {s['not_answered']} left blank, not counted)") in text
    m = mesc["moderation"]
    held = ("1 moderation visit was" if m["visits_completed"] == 1
            else f"{m['visits_completed']} moderation visits were")
    assert (f"{held} held against a target of {m['target']} (10% of the {m['returned']} "
            "agencies") in text
    shares = [_pct(m[c]["count"], m["compared"], m[c]["share"])
              for c in ("agreed", "under_scored", "over_inflated")]
    assert (f"Of {m['compared']} moderated findings, {shares[0]} agreed with the agency's own "
            f"grade, {shares[1]} were under-scored (the moderated grade was better) and "
            f"{shares[2]} over-inflated") in text
    assert "The audit ended in 5 recommendations:" in text
    assert ("The Chair writes to all services asking what training their staff have on working "
            "with disabled children | 11 | Independent Chair (the chair) | 30 April 2026 | Done"
            ) in text
    assert ("The Training Committee reviews the answers and reports to the Board | 6, 11 | "
            "Training Committee (a committee) | 30 September 2026 | In progress") in text
    assert ("Develop a shorter, more relevant tool for the voluntary and community sector | All | "
            "MESC (a committee) | 29 January 2027 | Open") in text


def test_the_reports_page_offers_the_annual_section_in_word_and_markdown(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    from tests.support import report_fixture

    report_fixture.build(db, tool)
    member = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, member)
    page = page_text(client.get(url_for(app, "reports.cycle", label=report_fixture.CURRENT)))
    assert "Download the annual report section, drafted (Word)" in page
    word = client.get(url_for(app, "reports.annual", label=report_fixture.CURRENT, fmt="docx"))
    assert word.status_code == 200 and word.data[:2] == b"PK"
    markdown = client.get(url_for(app, "reports.annual", label=report_fixture.CURRENT,
                                  fmt="md")).get_data(as_text=True)
    assert markdown.startswith(f"# Section 11 Compact Audit {report_fixture.CURRENT}\n")
    assert "- 6. Safer recruitment: 30.0% (9 of 30 graded answers" in markdown
    assert client.get(url_for(app, "reports.annual", label=report_fixture.CURRENT,
                              fmt="pdf")).status_code == 404
