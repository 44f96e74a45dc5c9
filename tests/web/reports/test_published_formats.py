"""Closed cycles stay true in every format: a closed cycle's report page, PDF, CSV, XLSX and
sector reports show the published figures; a reopened return changes them only at a republish,
and every earlier version can still be shown and downloaded as it was."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import delete
from sqlalchemy.orm import Session

from portal.models import PublishedFigures, Role
from portal.reports import annual
from portal.services.reporting import annual_section, close_and_publish, report_for, sector_report
from tests.support import factories, report_fixture, sign_in, submit_form, url_for
from tests.support.cycle_pages import text_of
from tests.support.report_fixture import AFTER, CURRENT

BASE = f"/reports/{CURRENT}"


@pytest.fixture
def closed(client: FlaskClient, db: Session, tool: Any) -> report_fixture.Known:
    """The report fixture's current cycle, closed and published; a manager signed in."""
    known = report_fixture.build(db, tool)
    close_and_publish(db, known.cycle, now=AFTER)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    return known


def _summary(client: FlaskClient, query: str = "") -> str:
    """The report page's figures: its text from the summary on, without the publication notice
    and the agency-comparison picker (a live choice of whose submitted answers to compare)."""
    response = client.get(f"{BASE}{query}")
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    picker = page.index("Compare an agency with its previous return")  # comes before the report
    return page[page.index("Return rate by sector", picker):]


def _pdf(client: FlaskClient, query: str = "") -> str:
    response = client.get(f"{BASE}/report.pdf{query}")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _csv(client: FlaskClient, query: str = "") -> list[list[str]]:
    response = client.get(f"{BASE}/report.csv{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _xlsx(client: FlaskClient, query: str = "") -> dict[str, list[tuple[Any, ...]]]:
    response = client.get(f"{BASE}/report.xlsx{query}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def _everything(client: FlaskClient, query: str = "") -> dict[str, Any]:
    sector = ("&" if query else "?") + "sector=Health"
    return {"page": _summary(client, query), "pdf": _pdf(client, query),
            "csv": _csv(client, query), "xlsx": _xlsx(client, query),
            "health page": _summary(client, query + sector),
            "health pdf": _pdf(client, query + sector),
            "health csv": _csv(client, query + sector),
            "json": client.get(f"{BASE}/report.json{query}").get_json()}


def _reopen_h1(client: FlaskClient, known: report_fixture.Known) -> None:
    url = url_for(client.application, "manager_returns.reopen", return_id=known.returns['H1'].id)
    done = submit_form(client, url, {"reason": "H1 asked to correct its grades",
                                     "understood": "y", "republish": "keep"})
    assert done.status_code == 302


def test_a_closed_cycles_report_in_every_format_stays_as_published_until_a_republish(
    client: FlaskClient, db: Session, closed: report_fixture.Known
) -> None:
    published = _everything(client)
    assert "Health 3 3 100.0%" in published["page"]
    assert "Health 3 3 100.0%" in published["health page"]
    assert published["json"]["returned"] == 6

    _reopen_h1(client, closed)
    db.expire_all()
    live = sector_report(db, cycle_label=CURRENT)
    assert live.returned == 5  # the figures have changed underneath
    after_reopening = _everything(client)
    for name, shown in after_reopening.items():
        assert shown == published[name], f"the {name} changed before a republish"
    notice = text_of(client.get(BASE).get_data(as_text=True))
    assert "show version 1 of the report" in notice
    assert "Returns received: 6 then, 5 now" in notice
    assert "Republish the report" in notice

    republished = submit_form(client, f"{BASE}/republish",
                              {"reason": "H1's return was reopened to correct its grades"})
    assert republished.status_code == 302
    now_shown = _everything(client)
    assert "Health 3 2 66.7%" in now_shown["page"]
    assert "Health 3 2 66.7%" in now_shown["health page"]
    assert now_shown["json"]["returned"] == 5
    for name in published:
        assert now_shown[name] != published[name], f"the {name} did not change at the republish"
    assert "show version 2 of the report" in text_of(client.get(BASE).get_data(as_text=True))

    version_1 = _everything(client, "?version=1")
    for name in ("page", "pdf", "csv", "xlsx", "health page", "health pdf", "health csv"):
        assert version_1[name] == published[name], f"version 1's {name} is not as published"
    assert client.get(f"{BASE}/published/1.json").get_json() == published["json"]
    assert client.get(f"{BASE}/report.json?version=1").get_json() == published["json"]
    earlier = text_of(client.get(f"{BASE}?version=1").get_data(as_text=True))
    assert "This is an earlier version: the latest is version 2" in earlier
    pdf = client.get(f"{BASE}/report.pdf?version=1")
    assert f'mesc-report-{CURRENT}-published-v1.pdf' in pdf.headers["Content-Disposition"]


def test_the_report_of_a_closed_cycle_is_the_published_one_and_an_open_cycles_is_live(
    client: FlaskClient, db: Session, closed: report_fixture.Known
) -> None:
    before = report_for(db, closed.cycle)
    _reopen_h1(client, closed)
    db.expire_all()
    assert report_for(db, closed.cycle) == before
    assert report_for(db, closed.cycle, "Health").returned == 3
    assert sector_report(db, cycle_label=CURRENT, sector="Health").returned == 2
    assert client.get(f"{BASE}?version=7").status_code == 404


def test_a_closed_cycles_annual_report_section_uses_the_published_figures(
    client: FlaskClient, db: Session, closed: report_fixture.Known
) -> None:
    published = annual.render_markdown(annual_section(db, cycle_label=CURRENT))
    _reopen_h1(client, closed)
    db.expire_all()
    assert annual.render_markdown(annual_section(db, cycle_label=CURRENT)) == published
    assert client.get(f"{BASE}/annual.md").data == published


def test_publish_missing_keeps_the_figures_of_a_version_published_before_they_were_kept(
    app: Flask, client: FlaskClient, db: Session, closed: report_fixture.Known
) -> None:
    db.execute(delete(PublishedFigures))  # as a version published before migration 0010
    db.commit()
    assert report_for(db, closed.cycle).returned == 6  # counted live, the same figures
    result = app.test_cli_runner().invoke(args=["reports", "publish-missing"])
    assert result.exit_code == 0, result.output
    assert "Published or filled in 1 report versions" in result.output
    _reopen_h1(client, closed)
    db.expire_all()
    assert report_for(db, closed.cycle).returned == 6  # now kept: the published figures
    rerun = app.test_cli_runner().invoke(args=["reports", "publish-missing"])
    assert "Published or filled in 0 report versions" in rerun.output


def test_publish_missing_leaves_a_version_whose_figures_have_changed_since(
    app: Flask, client: FlaskClient, db: Session, closed: report_fixture.Known
) -> None:
    db.execute(delete(PublishedFigures))
    db.commit()
    _reopen_h1(client, closed)
    result = app.test_cli_runner().invoke(args=["reports", "publish-missing"])
    assert "Published or filled in 0 report versions" in result.output
    page = text_of(client.get(BASE).get_data(as_text=True))
    assert "the JSON download is the report as published" in page
    assert "Returns received: 6 then, 5 now" in page
