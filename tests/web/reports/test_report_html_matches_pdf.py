"""The HTML report is the PDF's accessible twin: the same sections in the same order; "too few
to compare" decided by agencies alike in the page, the PDF and the XLSX grid; small numbers
marked with a key."""

from __future__ import annotations

import io
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services.reporting import MIN_GRADED, sector_report
from tests.support import factories, page, report_fixture, sign_in, url_for, visible_text
from tests.support.pdfs import poppler_text
from tests.support.report_fixture import AFTER, CURRENT

SMALL_SECTOR = "Sports and culture"


@pytest.fixture
def known(client: FlaskClient, db: Session, tool: Any) -> report_fixture.Known:
    built = report_fixture.build(db, tool)
    report_fixture.add_small_sector(db, tool, built)  # one of its four agencies returned
    user = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, user)
    return built


def _html(app: Flask, client: FlaskClient, **args: Any) -> BeautifulSoup:
    response = client.get(url_for(app, "reports.cycle", label=CURRENT, **args))
    assert response.status_code == 200
    return page(response)


def _download(app: Flask, client: FlaskClient, fmt: str, **args: Any) -> bytes:
    response = client.get(url_for(app, "reports.download", label=CURRENT, fmt=fmt, **args))
    assert response.status_code == 200
    return bytes(response.data)


def _html_sections(shown: BeautifulSoup) -> list[str]:
    report = shown.select_one("#report")
    assert report is not None
    return [" ".join(h.get_text().split()) for h in report.select("h2, h3")]


def _pdf_sections(content: bytes) -> list[str]:
    """The PDF's section headings, read back from its outline (bookmarks)."""
    return [item.title for item in PdfReader(io.BytesIO(content)).outline]


def _in_order(text: str, headings: list[str]) -> bool:
    at = 0
    for heading in headings:
        at = text.find(heading, at)
        if at < 0:
            return False
    return True


@pytest.mark.parametrize("args", [{}, {"sector": "Health"}])
def test_the_html_report_has_the_pdfs_sections_in_the_same_order(
    app: Flask, client: FlaskClient, known: Any, args: dict[str, str]
) -> None:
    html = _html_sections(_html(app, client, **args))
    pdf = _download(app, client, "pdf", **args)
    assert html == _pdf_sections(pdf)
    expected = {"Progress on the last cycle's recommendations", "How the figures are counted",
                "Return rate by sector", "Where to act: weakness of each standard in each sector"}
    assert expected <= set(html)
    assert ("What practitioners say" in html) == (not args)  # the survey: all sectors only
    # and each heading is on the PDF's pages, in that order (poppler's text of the pages)
    assert _in_order(" ".join(poppler_text(pdf).split()), html)


def test_too_few_to_compare_counts_agencies_in_the_page_pdf_and_xlsx(
    app: Flask, client: FlaskClient, db: Session, known: Any
) -> None:
    report = sector_report(db, cycle_label=CURRENT, now=AFTER)
    column = report.grid_sectors.index(SMALL_SECTOR)
    row = next(g for g in report.grid if g.code == "6")
    # one agency, yet five graded answers: the old rule (answers) would have shaded it
    assert row.cells[column].graded >= MIN_GRADED and row.agencies[column] == 1
    shown = _html(app, client)
    cells = shown.select_one("#grid").find("th", string="6. Safer recruitment").find_next_siblings("td")
    small = cells[column]
    assert "app-shade-too-few" in small["class"]
    assert visible_text(small) == "Too few to compare 1 agency"
    health = cells[report.grid_sectors.index("Health")]
    assert "app-shade-4" in health["class"]  # three agencies: shaded
    assert ("Too few to compare (graded by fewer than 3 agencies), so not shaded: Sports and "
            "culture: every standard.") in visible_text(shown)
    pdf = " ".join(" ".join(p.extract_text().split())
                   for p in PdfReader(io.BytesIO(_download(app, client, "pdf"))).pages)
    assert "6. Safer recruitment 40.0% n=15 20.0% n=15 too few to compare, 1 agency" in pdf
    grid = load_workbook(io.BytesIO(_download(app, client, "xlsx")))["grid"]
    rows = {r[0]: r for r in grid.iter_rows(min_row=2, values_only=True)}
    assert rows["6"][2 + column] == "too few to compare"
    assert rows["6"][2 + report.grid_sectors.index("Health")] == pytest.approx(0.4)
    assert all(r[2 + column] == "too few to compare" for r in rows.values())


def test_small_numbers_are_marked_with_a_key_in_the_page_and_the_pdf(
    app: Flask, client: FlaskClient, known: Any
) -> None:
    shown = _html(app, client, sector="Health")
    questions = shown.find("caption", string="Health: questions with the most requires "
                                             "improvement or inadequate grades").find_parent("table")
    first = questions.select_one("tbody tr")
    assert visible_text(first.select("td")[3]) == "100.0% † (small number)"  # 3 of 3 graded
    key = "† Small number: fewer than 5 graded answers"
    assert key in visible_text(shown)
    pdf = " ".join(poppler_text(_download(app, client, "pdf", sector="Health")).split())
    assert "100.0% †" in pdf and key in pdf
