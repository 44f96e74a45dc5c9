"""Page 1 of the MESC PDF is a summary a committee reads in five minutes: where to act."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal.reports.sector_exports import render_xlsx
from portal.reports.sector_pdf import LABEL_CHARACTERS, chart_label, render_sector_report
from portal.reports.shading import BANDS
from portal.reports.wording import change_words
from portal.services.analysis import Tally
from portal.services.reporting import SectorReport, StandardChange, StandardRow, sector_report
from tests.support import report_fixture, require
from tests.support.report_fixture import AFTER, CURRENT, DURING

NA_SENTENCE = ("Question 12.1, \u201cThe organisation carries out an equality impact assessment "
               "when it plans changes to its services\u201d: 4 agencies felt it was not "
               "applicable (3 in GP practices and 1 in Health); a further 2 agencies left it "
               "blank (2 in Health). That is 100% of its 6 answers.")


@pytest.fixture
def known(db: Session, tool: Any) -> report_fixture.Known:
    return report_fixture.build(db, tool)


def _report(db: Session, now: datetime = AFTER, **kwargs: Any) -> SectorReport:
    return sector_report(db, cycle_label=CURRENT, now=now, **kwargs)


def _pages(report: SectorReport) -> list[str]:
    reader = PdfReader(io.BytesIO(render_sector_report(report, partnership="Test LSCP")))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _fills(pdf: bytes, page: int = 0) -> Counter[str]:
    """Rectangles filled on a page, by colour (#rrggbb), read from its drawing operations."""
    stream = PdfReader(io.BytesIO(pdf)).pages[page].get_contents().get_data().decode("latin-1")
    found = re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) rg\s+n [-\d. ]+ re f", stream)
    return Counter("#" + "".join(f"{round(float(c) * 255):02x}" for c in rgb) for rgb in found)


def test_page_one_summarises_returns_weakest_standards_grid_and_na_answers(
    db: Session, known: Any
) -> None:
    page_one = _pages(_report(db))[0]
    for row in ["Health 3 3 100.0% 0", "GP practices 3 3 100.0% 0",
                "Voluntary and community 2 0 0.0% 2", "Early years 1 0 0.0% 1",
                "All sectors 9 6 66.7% 3"]:
        assert row in page_one
    assert ("1. 6. Safer recruitment: 30.0%: 9 of 30 graded answers; 0 N/A and 0 not answered, "
            "not counted. 2. 12. Equality of opportunity: 16.7%: 2 of 12 graded answers; 4 N/A and "
            "2 not answered, not counted. 3. 11. Disabled children: 12.5%") in page_one
    assert "Where to act: weakness of each standard in each sector" in page_one
    assert "Darker is weaker." in page_one
    assert "6. Safer recruitment 40.0% n=15 20.0% n=15" in page_one
    assert "1 moderation visit held against a target of 1" in page_one
    assert NA_SENTENCE in page_one
    assert "Provisional" not in page_one


def test_grid_is_shaded_darker_where_weaker_in_the_pdf_drawing(db: Session, known: Any) -> None:
    fills = _fills(render_sector_report(_report(db)))
    # Health: 6 at 40% (darkest), 11 and 12 at 16.7%; GP practices: 6 at 20%, 12 at 16.7%,
    # 4 and 11 at 8.3%; every other cell 0%. Each band also fills one key cell.
    expected = {4: 1, 3: 1, 2: 3, 1: 2, 0: 24 - 7}
    assert {n: fills[BANDS[n].fill] - 1 for n in expected} == expected


def test_a_sector_of_four_agencies_is_too_few_to_compare(db: Session, tool: Any, known: Any) -> None:
    report_fixture.add_small_sector(db, tool, known)
    report = _report(db)
    assert report.grid_sectors == ["Health", "GP practices", "Sports and culture"]
    small = {t.sector: t.codes for t in report.too_few}
    # one return: every standard is that one agency's, even those with 5 or more graded answers
    assert small == {"Sports and culture": [g.code for g in report.grid]}
    page_one = _pages(report)[0]
    assert ("3. Designated safeguarding leads 0.0% n=9 0.0% n=9 too few to compare, 1 agency"
            in page_one)
    assert ("6. Safer recruitment 40.0% n=15 20.0% n=15 too few to compare, 1 agency"
            in page_one)
    assert ("Too few to compare (graded by fewer than 3 agencies), so not shaded: Sports and "
            "culture: every standard.") in page_one


def test_an_open_cycle_is_provisional_on_every_page(db: Session, known: Any) -> None:
    report = _report(db, now=DURING)
    assert report.provisional and report.can_still_return == 3
    pages = _pages(report)
    assert len(pages) > 1
    for page in pages:
        assert "Provisional: 3 agencies can still return until 28 February 2025" in page
    text = " ".join(pages)
    assert "Not yet returned" in text and "3 not yet returned" in text
    assert "did not return" not in text
    assert not _report(db, now=AFTER).provisional
    assert _report(db, now=datetime(2025, 2, 28, 23, 30)).provisional  # 28 Feb in the UK


def test_change_says_better_or_worse_and_leaves_out_too_few(db: Session, known: Any) -> None:
    worse = StandardChange("6", "Safer recruitment", 0.4, 0.0667, 15, 15)
    better = StandardChange("6", "Safer recruitment", 0.1, 0.3, 20, 20)
    few = StandardChange("3", "Designated safeguarding leads", 0.5, 0.0, 4, 18)
    assert [change_words(c) for c in (worse, better, few)] == [
        "+33.3 points, worse", "-20.0 points, better",
        "Left out: too few to compare (fewer than 5 graded answers)"]
    assert few.change is None and few.direction is None
    text = " ".join(_pages(_report(db)))
    assert "6. Safer recruitment 40.0% 6.7% +33.3 points, worse" in text


def test_a_one_sector_pdf_prints_each_table_once(db: Session, known: Any) -> None:
    text = " ".join(_pages(_report(db, sector="Health")))
    assert text.count("1 6. Safer recruitment 40.0% 6 15 0 0") == 1
    assert "Table 1" not in text and text.count("Health: standards ranked by weakness") == 1


def test_chart_labels_wrap_the_longest_standard_title(db: Session, known: Any) -> None:
    report = _report(db)
    longest = max(report.standards, key=lambda s: len(f"{s.code}. {s.title}"))
    assert longest.title == "Information sharing and inter-agency working"
    lines = chart_label(longest).split("\n")
    assert len(lines) == 2 and all(len(line) <= LABEL_CHARACTERS for line in lines)
    assert " ".join(lines) == "9. Information sharing and inter-agency working"
    stub = StandardRow("9", longest.title, Tally(1, 1, 0, 0, 0))
    assert "…" not in chart_label(stub)
    assert "…" not in " ".join(_pages(report))


def test_xlsx_percentages_are_numbers_in_a_percent_format(db: Session, known: Any) -> None:
    book = load_workbook(io.BytesIO(render_xlsx(_report(db))))
    standards = book["standards"]
    header = [c.value for c in standards[1]]
    weakness = standards.cell(row=2, column=header.index("weakness") + 1)
    assert (weakness.value, weakness.number_format) == (0.3, "0.0%")
    grid = book["grid"]
    assert (grid["C2"].data_type, grid["C2"].number_format) == ("n", "0.0%")
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref, sheet.title
    rates = book["returns_by_sector"]
    assert [(c.value, c.number_format) for c in rates["D"][1:3]] == [(1.0, "0.0%"), (1.0, "0.0%")]


def test_the_grid_page_renders_with_its_darkest_shade(
    db: Session, known: Any, tmp_path: Path
) -> None:
    require(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_sector_report(_report(db)))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True, capture_output=True, timeout=120)
    (image_path,) = tmp_path.glob("page-*.png")
    with Image.open(image_path) as image:
        colours = Counter(image.convert("RGB").get_flattened_data())
    darkest = tuple(int(BANDS[4].fill[i:i + 2], 16) for i in (1, 3, 5))
    palest = tuple(int(BANDS[0].fill[i:i + 2], 16) for i in (1, 3, 5))
    assert colours[darkest] > 100 and colours[palest] > colours[darkest]
