"""The survey's PDFs, read back: the challenge-day pack, the partnership pack, the MESC page,
the staff-room poster."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal.reports.sector_pdf import render_sector_report
from portal.reports.survey_pdf import render_poster
from portal.services.reporting import sector_report
from tests.support import survey_fixture


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_challenge_day_pack_puts_the_gaps_first_beside_the_self_grades(
        app: Flask, db: Session, tmp_path: Path) -> None:
    survey_fixture.close(db, survey_fixture.build(db, tmp_path))
    out = tmp_path / "g2.pdf"
    result = app.test_cli_runner().invoke(args=["survey", "pack", "--cycle", "2026-27", "--agency",
                                                "GP practices agency G2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = _text(out.read_bytes())
    assert "GP practices agency G2: challenge day" in text
    assert "About 10 practitioners answered the survey" in text
    assert "Corroboration gaps: 3" in text
    assert "Who answered: front-line practitioner 10. Time worked here: not given 10." in text
    first_gap = text.index("9.1 Staff know how and when to make a referral")
    assert first_gap < text.index("5.1 All staff") < text.index("2.1 There is a written")
    assert re.search(r"9\.1 Staff know how.*?Good 0% Gap", text)
    assert re.search(r"5\.1 All staff.*?Good 40% Gap", text)


def test_partnership_pack_sorts_agencies_by_gaps_and_hides_small_numbers(
        app: Flask, db: Session, tmp_path: Path) -> None:
    survey_fixture.close(db, survey_fixture.build(db, tmp_path))
    out = tmp_path / "all.pdf"
    result = app.test_cli_runner().invoke(args=["survey", "pack", "--cycle", "2026-27",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = _text(out.read_bytes())
    assert ("About 30 responses from the 3 of 5 agencies with 10 or more (figures rounded to the "
            "nearest 5), and 5 corroboration gaps") in text
    assert (text.index("GP practices agency G2 GP practices 10 3")
            < text.index("Health agency G1 Health 10 2") < text.index("Health agency OK Health 10 0"))
    assert "agency F4" not in text  # 9 responses: not in the pack at all


def test_mesc_report_gains_the_survey_page(db: Session, tmp_path: Path) -> None:
    survey_fixture.close(db, survey_fixture.build(db, tmp_path))
    text = _text(render_sector_report(sector_report(db, cycle_label="2026-27")))
    page = text[text.index("What practitioners say"):]
    assert "About 30 practitioners answered the survey" in page
    assert "GP practices 1 10 1 3" in page and "Health 3 20 2 2" in page
    assert "Voluntary and community 1 0 0 0" in page  # F4 (9 responses) is pooled nowhere
    least = page[page.index("Statements with the least agreement"):]
    # S3 (9.1): 12 disagree (G1), 10 partly (G2), 10 agree (OK), each rounded to 10 -> 33%
    assert re.search(r"I know how to refer a concern to children's social care\. 30 33%", least)
    most = page[page.index("Agencies with the most corroboration gaps"):]
    assert most.index("GP practices agency G2") < most.index("Health agency G1")


@pytest.mark.no_database
def test_poster_carries_the_link_and_a_qr_code() -> None:
    url = "http://portal.test/survey/abcdefghijklmnopqrstuvwxyz012345"
    content = render_poster(agency="Health agency OK", cycle="2026-27", url=url,
                            partnership="Anyshire Safeguarding Children Partnership")
    reader = PdfReader(io.BytesIO(content))
    assert url in _text(content)
    assert "It is anonymous" in _text(content)
    assert len(reader.pages[0].images) == 1  # the QR code
