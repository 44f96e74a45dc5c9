"""The MESC sector report: ranking known by construction, in JSON, CSV, XLSX and the PDF."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.reports.sector_exports import render_csv, render_json, render_xlsx
from portal.reports.sector_pdf import render_sector_report
from portal.services.common import NotFound
from portal.services.reporting import sector_report
from tests.support import report_fixture, require
from tests.support.report_fixture import AFTER, CURRENT, EARLIER

# Hand-computed from report_fixture's docstring (6 submitted returns on the full tool).
# code: (title, graded, weak, not_applicable, not_answered, weakness)
EXPECTED_STANDARDS = [
    ("6", "Safer recruitment", 30, 9, 0, 0, 0.3),            # 6.2 RI x6 + 6.4 inadequate x3
    ("12", "Equality of opportunity", 12, 2, 4, 2, 0.1667),  # 12.1: 4 N/A, 2 blank -> not graded
    ("11", "Disabled children", 24, 3, 0, 0, 0.125),
    ("4", "Voice of the child", 24, 1, 0, 0, 0.0417),
    # no weak grades: ties ranked by standard number (numerically: 10 after 9)
    ("1", "Leadership and accountability", 24, 0, 0, 0, 0.0),
    ("2", "Policies and procedures", 30, 0, 0, 0, 0.0),
    ("3", "Designated safeguarding leads", 18, 0, 0, 0, 0.0),
    ("5", "Safeguarding training", 24, 0, 0, 0, 0.0),
    ("7", "Managing allegations (LADO)", 24, 0, 0, 0, 0.0),
    ("8", "Supervision and support", 18, 0, 0, 0, 0.0),
    ("9", "Information sharing and inter-agency working", 24, 0, 0, 0, 0.0),
    ("10", "Early help", 24, 0, 0, 0, 0.0),
]
EXPECTED_HEALTH_TOP = [("6", 15, 6, 0, 0, 0.4), ("11", 12, 2, 0, 0, 0.1667),
                       ("12", 6, 1, 1, 2, 0.1667)]  # 11 and 12 tie at 1/6: by number
EXPECTED_GP_TOP = [("6", 15, 3, 0, 0, 0.2), ("12", 6, 1, 3, 0, 0.1667),
                   ("4", 12, 1, 0, 0, 0.0833), ("11", 12, 1, 0, 0, 0.0833)]


@pytest.fixture
def known(db: Session, tool: Any) -> report_fixture.Known:
    return report_fixture.build(db, tool)


def _as_json(db: Session, **kwargs: Any) -> dict[str, Any]:
    return json.loads(render_json(sector_report(db, cycle_label=CURRENT, now=AFTER, **kwargs)))


def _rows(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(s["code"], s["graded"], s["weak"], s["not_applicable"], s["not_answered"],
             s["weakness"]) for s in items]


def test_json_ranks_standards_excluding_na_and_blanks_from_the_percentages(
    db: Session, known: Any
) -> None:
    data = _as_json(db)
    assert [(s["code"], s["title"], s["graded"], s["weak"], s["not_applicable"],
             s["not_answered"], s["weakness"]) for s in data["standards"]] == EXPECTED_STANDARDS
    # Counting N/A and blanks as answers would have put 12 (2/18 = 11.1%) below 11 (12.5%).
    assert [s["code"] for s in data["standards"][:3]] == ["6", "12", "11"]


def test_json_has_the_headline_non_returners_and_previous_cycles(db: Session, known: Any) -> None:
    data = _as_json(db)
    assert (data["cycle"], data["issued"], data["returned"], data["return_rate"]) == (
        CURRENT, 9, 6, 0.6667)
    assert data["non_returners_by_sector"] == [
        {"sector": "Voluntary and community", "count": 2, "share": 0.6667},
        {"sector": "Early years", "count": 1, "share": 0.3333},
    ]
    assert [(p["cycle"], p["issued"], p["returned"], p["return_rate"])
            for p in data["previous_cycles"]] == [("2023-24", 3, 0, 0.0), (EARLIER, 9, 6, 0.6667)]


def test_json_ranks_each_sectors_standards_and_questions(db: Session, known: Any) -> None:
    sectors = {s["sector"]: s for s in _as_json(db)["sectors"]}
    assert list(sectors) == ["Health", "GP practices"]  # only sectors with submitted returns
    assert _rows(sectors["Health"]["standards"][:3]) == EXPECTED_HEALTH_TOP
    assert _rows(sectors["GP practices"]["standards"][:4]) == EXPECTED_GP_TOP
    health_q = [(q["code"], q["requires_improvement"], q["inadequate"], q["graded"])
                for q in sectors["Health"]["questions"][:4]]
    assert health_q == [("6.2", 3, 0, 3), ("6.4", 0, 3, 3), ("11.1", 2, 0, 3), ("12.2", 1, 0, 3)]
    assert [q["code"] for q in sectors["GP practices"]["questions"][:4]] == [
        "6.2", "4.3", "11.3", "12.2"]
    q121 = next(q for q in sectors["Health"]["questions"] if q["code"] == "12.1")
    assert (q121["graded"], q121["not_applicable"], q121["not_answered"], q121["weakness"]) == (
        0, 1, 2, None)


def test_change_is_against_the_previous_cycle_of_the_same_cohort(db: Session, known: Any) -> None:
    sectors = {s["sector"]: s for s in _as_json(db)["sectors"]}
    health = sectors["Health"]
    assert health["previous_cycle"] == EARLIER  # not 2023-24, which issued cohort B
    six = next(c for c in health["change"] if c["code"] == "6")
    assert (six["weakness"], six["previous_weakness"], six["change"]) == (0.4, 0.0667, 0.3333)
    assert (six["direction"], six["graded"], six["previous_graded"]) == ("worse", 15, 15)
    gp_six = next(c for c in sectors["GP practices"]["change"] if c["code"] == "6")
    assert (gp_six["previous_weakness"], gp_six["change"], gp_six["direction"]) == (0.0, 0.2, "worse")


def test_grid_and_moderation_calibration(db: Session, known: Any) -> None:
    data = _as_json(db)
    assert data["grid"]["sectors"] == ["Health", "GP practices"]
    grid = {row["code"]: row["weakness"] for row in data["grid"]["standards"]}
    assert grid["6"] == [0.4, 0.2] and grid["12"] == [0.1667, 0.1667]
    m = data["moderation"]
    assert (m["returned"], m["target"], m["visits_completed"], m["visits_open"], m["compared"]) == (
        6, 1, 1, 1, 4)
    assert m["agreed"] == {"count": 1, "share": 0.25}
    assert m["under_scored"] == {"count": 2, "share": 0.5}
    assert m["over_inflated"] == {"count": 1, "share": 0.25}


def test_a_sector_report_counts_only_that_sector(db: Session, known: Any) -> None:
    data = _as_json(db, sector="Health")
    assert (data["sector"], data["issued"], data["returned"]) == ("Health", 3, 3)
    assert _rows(data["standards"][:3]) == EXPECTED_HEALTH_TOP
    assert data["non_returners_by_sector"] == []
    assert [s["sector"] for s in data["sectors"]] == ["Health"]
    assert data["moderation"]["visits_completed"] == 1 and data["moderation"]["visits_open"] == 0
    with pytest.raises(NotFound):
        sector_report(db, cycle_label=CURRENT, sector="Nowhere")


def test_report_is_a_fixed_number_of_queries(db: Session, known: Any) -> None:
    statements: list[str] = []
    engine = db.get_bind()

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        db.expunge_all()
        sector_report(db, cycle_label=CURRENT, now=AFTER)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # cycle, tool version, cycles figures, returns by sector, previous cohort cycle, 2 passes
    # over the answers (this cycle's and the previous cycle's (sector, question) tallies, which
    # every counting table sums),
    # 4 moderation (submitted, current sample, visits by status, calibration), 2 for the last
    # cycle's recommendations (the previous cycle of any cohort, its recommendations), 4 for the
    # practitioner survey the bundled tool carries (has it one, its statements, the issued
    # agencies with their response counts, the answer counts; none has enough for gaps)
    # and, on PostgreSQL, the transaction's partnership (row-level security): one statement
    queries = [s for s in statements if not s.startswith("SELECT set_config('portal.partnership'")]
    assert len(statements) - len(queries) == (1 if engine.dialect.name == "postgresql" else 0)
    assert len(queries) == 18, queries
    assert not any("FROM answers" in s and "GROUP BY" not in s for s in queries)


# --- exports agree ----------------------------------------------------------------------------

def _value(cell: Any) -> Any:
    """Numbers compared as numbers (XLSX reads 0.0 back as 0), blanks as None."""
    if cell is None or cell == "":
        return None
    try:
        return float(cell)
    except (TypeError, ValueError):
        return str(cell)


def tidy_csv(content: bytes) -> dict[tuple[str, ...], Any]:
    """The tidy CSV as {(cycle, sector, standard, question, measure): value}; keys are unique."""
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == ["cycle", "sector", "standard", "question", "label", "measure", "value"]
    found = {(r[0], r[1], r[2], r[3], r[5]): _value(r[6]) for r in rows}
    assert len(found) == len(rows)  # one row per cycle, sector, standard or question, measure
    return found


def _xlsx_tables(content: bytes) -> dict[str, list[dict[str, Any]]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    tables = {}
    for sheet in book.worksheets:
        header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        tables[sheet.title] = [dict(zip(header, r, strict=True)) for r in rows]
    return tables


def test_csv_and_xlsx_hold_the_json_figures(db: Session, known: Any) -> None:
    report = sector_report(db, cycle_label=CURRENT, now=AFTER)
    data = json.loads(render_json(report))
    tidy, book = tidy_csv(render_csv(report)), _xlsx_tables(render_xlsx(report))
    assert set(book) == {"headline", "returns_by_sector", "non_returners_by_sector", "standards",
                         "sector_standards", "sector_questions", "sector_change", "grid",
                         "na_blank", "moderation"}
    measures = ["graded", "weak", "not_applicable", "not_answered", "weakness"]
    for s in data["standards"]:
        assert [tidy[(CURRENT, "", s["code"], "", m)] for m in measures] == [
            _value(s[m]) for m in measures]
    for sec in data["sectors"]:
        for s in sec["standards"]:
            assert [tidy[(CURRENT, sec["sector"], s["code"], "", m)] for m in measures] == [
                _value(s[m]) for m in measures]
        for q in sec["questions"]:
            assert tidy[(CURRENT, sec["sector"], q["standard"], q["code"], "not_applicable")] == (
                q["not_applicable"])
        for c in sec["change"]:
            assert tidy[(EARLIER, sec["sector"], c["code"], "", "weakness")] == _value(
                c["previous_weakness"])
            assert tidy[(CURRENT, sec["sector"], c["code"], "", "change_since_previous")] == (
                _value(c["change"]))
    for s in data["returns_by_sector"]:
        assert tidy[(CURRENT, s["sector"], "", "", "return_rate")] == _value(s["return_rate"])
    assert tidy[(CURRENT, "Voluntary and community", "", "", "share_of_non_returners")] == 0.6667
    assert tidy[(CURRENT, "", "", "", "return_rate")] == data["return_rate"]
    assert tidy[(CURRENT, "", "", "", "findings_under_scored_share")] == (
        data["moderation"]["under_scored"]["share"])
    assert [(r["code"], r["weakness"]) for r in book["standards"]] == [
        (s["code"], s["weakness"]) for s in data["standards"]]
    assert {r["code"]: r["Health"] for r in book["grid"]} == {
        g["code"]: g["weakness"][0] for g in data["grid"]["standards"]}


# --- the PDF -----------------------------------------------------------------------------------

def _pdf(db: Session, label: str = CURRENT) -> bytes:
    return render_sector_report(sector_report(db, cycle_label=label, now=AFTER),
                                partnership="Test LSCP")


def _flat(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_pdf_text_holds_the_ranking_and_numbers(db: Session, known: Any) -> None:
    reader = PdfReader(io.BytesIO(_pdf(db)))
    text = _flat(reader)
    assert ("6. Safer recruitment (30.0%: 9 of 30 graded answers; 0 N/A and 0 not answered, not "
            "counted), 12. Equality of opportunity (16.7%: 2 of 12 graded answers; 4 N/A and 2 "
            "not answered, not counted) and 11. Disabled children (12.5%: 3 of 24 graded "
            "answers") in text
    table = text[text.index("Table 1: standards ranked by weakness"):]
    expected_rows = [f"{rank} {code}. {title} {weakness * 100:.1f}% {weak} {graded} {na} {blank}"
                     for rank, (code, title, graded, weak, na, blank, weakness)
                     in enumerate(EXPECTED_STANDARDS, 1)]
    positions = [table.index(row) for row in expected_rows]
    assert positions == sorted(positions)
    health = text[text.index("Sector: Health"):]
    for row in ["1 6. Safer recruitment 40.0% 6 15 0 0", "2 11. Disabled children 16.7% 2 12 0 0",
                "3 12. Equality of opportunity 16.7% 1 6 1 2"]:
        assert row in health
    assert "9 agencies were issued the self-assessment in 2024-25" in text
    assert "Voluntary and community 2 0 0.0% 2" in text
    assert "66.7% of them are from the Voluntary and community sector (2)" in text
    assert "1 agreed (25.0%), 2 under-scored (50.0%), 1 over-inflated (25.0%)" in text
    assert "6. Safer recruitment 40.0% 6.7% +33.3 points, worse" in health


def test_pdf_is_a4_with_metadata_and_page_numbers(db: Session, known: Any) -> None:
    reader = PdfReader(io.BytesIO(_pdf(db)))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Compact Audit 2024-25: MESC summary"
    assert meta.author == "Test LSCP" and "Scrutiny" in (meta.subject or "")
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, 1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
        assert f"Page {number} of {pages}" in page.extract_text()


def test_pdf_says_when_no_moderation_visits_were_recorded(db: Session, known: Any) -> None:
    text = _flat(PdfReader(io.BytesIO(_pdf(db, EARLIER))))
    assert "No moderation visits recorded for this cycle." in text
    assert re.search(r"There is no earlier return of cohort A from this sector", text)


def test_pdftoppm_renders_every_page(db: Session, known: Any, tmp_path: Path) -> None:
    require(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_pdf(db))
    pages = len(PdfReader(pdf).pages)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=120)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    assert all(image.stat().st_size > 1000 for image in images)


def test_a_cycle_with_no_submitted_returns_still_reports(db: Session, known: Any) -> None:
    report = sector_report(db, cycle_label="2023-24", now=AFTER)
    assert (report.issued, report.returned, report.standards, report.sectors) == (3, 0, [], [])
    text = _flat(PdfReader(io.BytesIO(render_sector_report(report))))
    assert "No answers were graded in this cycle" in text
    assert "No moderation visits recorded for this cycle." in text
    assert json.loads(render_json(report))["return_rate"] == 0.0
    assert tidy_csv(render_csv(report))[("2023-24", "", "", "", "returned")] == 0.0
