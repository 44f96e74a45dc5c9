"""MESC report pages, downloads, agency comparison and `flask reports sector`: who may use them."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services.cycles import create_cycle, open_cycle
from tests.support import factories, page, report_fixture, sign_in, url_for, visible_text
from tests.support.report_fixture import CURRENT, EARLIER

DOWNLOADS = {"pdf": "application/pdf", "csv": "text/csv", "json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@pytest.fixture
def known(db: Session, tool: Any) -> report_fixture.Known:
    return report_fixture.build(db, tool)


def _signed_in(client: FlaskClient, db: Session, role: Role, **kwargs: Any) -> None:
    user = factories.user(db, role, **kwargs)
    db.commit()
    sign_in(client, user)


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.MANAGER])
def test_committee_and_managers_download_every_format(
    app: Flask, client: FlaskClient, db: Session, known: Any, role: Role
) -> None:
    _signed_in(client, db, role)
    for fmt, mimetype in DOWNLOADS.items():
        response = client.get(url_for(app, "reports.download", label=CURRENT, fmt=fmt))
        assert response.status_code == 200, fmt
        assert response.mimetype == mimetype
        assert f"filename=mesc-report-{CURRENT}.{fmt}" in response.headers["Content-Disposition"]
    pdf = PdfReader(io.BytesIO(client.get(url_for(app, "reports.download", label=CURRENT, fmt="pdf")).data))
    assert "1. 6. Safer recruitment: 30.0%" in " ".join(pdf.pages[0].extract_text().split())
    data = client.get(url_for(app, "reports.download", label=CURRENT, fmt="json")).get_json()
    assert [s["code"] for s in data["standards"][:3]] == ["6", "12", "11"]
    book = load_workbook(io.BytesIO(client.get(url_for(app, "reports.download", label=CURRENT,
                                                       fmt="xlsx")).data))
    assert book["standards"]["B2"].value == "6"


def test_report_page_shows_the_summary_with_download_links(
    app: Flask, client: FlaskClient, db: Session, known: Any
) -> None:
    _signed_in(client, db, Role.COMMITTEE)
    shown = page(client.get(url_for(app, "reports.cycle", label=CURRENT)))
    text = visible_text(shown)
    assert "MESC report 2024-25" in text
    assert "9 agencies were issued the self-assessment in 2024-25" in text
    assert "6. Safer recruitment (30.0%: 9 of 30 graded answers" in text
    for fmt in DOWNLOADS:
        assert shown.select_one(f'a[href="{url_for(app, "reports.download", label=CURRENT, fmt=fmt)}"]')
    assert "Sector: Health" in text and "Sector: GP practices" in text
    assert "1 agreed (25.0%), 2 under-scored (50.0%), 1 over-inflated (25.0%)" in text


def test_sector_filter_narrows_the_page_and_downloads(
    app: Flask, client: FlaskClient, db: Session, known: Any
) -> None:
    _signed_in(client, db, Role.COMMITTEE)
    shown = page(client.get(url_for(app, "reports.cycle", label=CURRENT, sector="Health")))
    text = visible_text(shown)
    assert "MESC report 2024-25: Health" in text and "Sector: GP practices" not in text
    csv = url_for(app, "reports.download", label=CURRENT, fmt="csv", sector="Health")
    assert shown.select_one(f'a[href="{csv}"]') is not None
    data = client.get(url_for(app, "reports.download", label=CURRENT, fmt="json", sector="Health")).get_json()
    assert (data["sector"], data["issued"], data["returned"]) == ("Health", 3, 3)
    assert client.get(url_for(app, "reports.cycle", label=CURRENT, sector="Nowhere")).status_code == 404
    assert client.get(url_for(app, "reports.cycle", label="1999-00")).status_code == 404
    assert client.get(url_for(app, "reports.download", label=CURRENT, fmt="doc")).status_code == 404


def test_report_page_leads_with_the_shaded_grid_as_a_real_table(
    app: Flask, client: FlaskClient, db: Session, known: Any
) -> None:
    _signed_in(client, db, Role.COMMITTEE)
    html = " ".join(client.get(url_for(app, "reports.cycle", label=CURRENT)).get_data(as_text=True).split())
    summary, grid = html.index('id="summary"'), html.index('id="grid"')
    assert summary < grid < html.index("Sector: Health")
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Health</th>' in html
    assert ('<th scope="row" class="govuk-table__header">6. Safer recruitment</th> <td class='
            '"govuk-table__cell govuk-table__cell--numeric app-shade-4"><strong>40.0%</strong> '
            '<span class="app-grid__n">15 graded</span></td>') in html
    assert "4 agencies felt it was not applicable (3 in GP practices and 1 in Health)" in html
    assert "+33.3 points, worse" in html and "Provisional" not in html


def test_report_of_a_cycle_still_open_is_provisional(
    app: Flask, client: FlaskClient, db: Session, known: Any
) -> None:
    later = create_cycle(db, label="2099-00", cohort="A", deadline=date(2099, 6, 30),
                         now=datetime(2099, 1, 4, 9))
    known.cycle.status = "closed"  # one open cycle per cohort
    open_cycle(db, later, now=datetime(2099, 1, 4, 9), links=None)
    _signed_in(client, db, Role.COMMITTEE)
    html = " ".join(client.get(url_for(app, "reports.cycle", label="2099-00")).get_data(as_text=True).split())
    assert "Provisional: 9 agencies can still return until" in html
    assert "Not yet returned" in html and "9 not yet returned" in html


def test_cli_report_is_provisional_before_the_final_deadline(
    app: Flask, known: Any, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    result = app.test_cli_runner().invoke(args=[
        "reports", "sector", "--cycle", CURRENT, "--format", "json", "--out", str(out),
        "--now", "2025-02-10T09:00"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert (data["provisional"], data["can_still_return"]) == (True, 3)


@pytest.mark.parametrize("role", [Role.AGENCY, Role.MODERATOR])
def test_agency_users_and_moderators_get_403(
    app: Flask, client: FlaskClient, db: Session, known: Any, role: Role
) -> None:
    agency = known.agencies["H1"] if role == Role.AGENCY else None
    _signed_in(client, db, role, agency=agency)
    agency_id = known.agencies["H1"].id
    for url in [url_for(app, "reports.index"), url_for(app, "reports.cycle", label=CURRENT),
                url_for(app, "reports.download", label=CURRENT, fmt="pdf"),
                url_for(app, "reports.download", label=CURRENT, fmt="csv"),
                url_for(app, "reports.choose_agency", label=CURRENT, agency="1"),
                url_for(app, "reports.agency", label=CURRENT, agency_id=agency_id),
                url_for(app, "reports.agency_csv", label=CURRENT, agency_id=agency_id)]:
        assert client.get(url).status_code == 403, url


def test_signed_out_people_are_sent_to_sign_in(app: Flask, client: FlaskClient, known: Any) -> None:
    response = client.get(url_for(app, "reports.download", label=CURRENT, fmt="pdf"))
    assert response.status_code == 302 and url_for(app, "auth.sign_in") in response.headers["Location"]


def test_committee_home_lists_cycles_linking_to_their_reports(
    app: Flask, client: FlaskClient, db: Session, known: Any
) -> None:
    _signed_in(client, db, Role.COMMITTEE)
    home = page(client.get(url_for(app, "committee.home")))
    links = [a["href"] for a in home.select("main a")]
    cycles = [url_for(app, "reports.cycle", label=label) for label in (CURRENT, "2023-24", EARLIER)]
    assert [link for link in links if link in cycles] == cycles  # newest first
    assert home.select_one(f'nav a[href="{url_for(app, "reports.index")}"]')  # the Reports item


def test_agency_comparison_shows_grades_beside_the_previous_return(
    app: Flask, client: FlaskClient, db: Session, known: Any
) -> None:
    _signed_in(client, db, Role.MANAGER)
    agency_id = known.agencies["H1"].id
    chosen = client.get(url_for(app, "reports.choose_agency", label=CURRENT, agency=agency_id))
    assert chosen.headers["Location"].endswith(url_for(app, "reports.agency", label=CURRENT,
                                                       agency_id=agency_id))
    html = client.get(url_for(app, "reports.agency", label=CURRENT,
                              agency_id=agency_id)).get_data(as_text=True)
    assert "Health agency H1" in html and f"beside the previous submitted return, {EARLIER}" in html
    rows = client.get(url_for(app, "reports.agency_csv", label=CURRENT,
                              agency_id=agency_id)).data.decode("utf-8-sig")
    lines = {line.split(",")[1]: line for line in rows.splitlines()[1:]}
    assert lines["6.4"].endswith(",Inadequate,Good,worse")
    assert lines["6.2"].endswith(",Requires improvement,Requires improvement,same")
    assert lines["12.1"].endswith(",Not applicable,Good,")
    assert client.get(url_for(app, "reports.agency", label=CURRENT, agency_id=999999)).status_code == 404


def test_cli_writes_each_format(app: Flask, known: Any, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    for fmt in ("json", "csv", "xlsx", "pdf"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(args=["reports", "sector", "--cycle", CURRENT, "--format", fmt,
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    data = json.loads((tmp_path / "report.json").read_text())
    assert [s["code"] for s in data["standards"][:3]] == ["6", "12", "11"]
    assert PdfReader(tmp_path / "report.pdf").metadata.title == (  # type: ignore[union-attr]
        "Compact Audit 2024-25: MESC summary")


def test_cli_sector_option_and_unknown_cycle(app: Flask, known: Any, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    out = tmp_path / "health.json"
    result = runner.invoke(args=["reports", "sector", "--cycle", CURRENT, "--format", "json",
                                 "--out", str(out), "--sector", "Health"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["returned"] == 3
    missing = runner.invoke(args=["reports", "sector", "--cycle", "1999-00", "--format", "pdf",
                                  "--out", str(tmp_path / "x.pdf")])
    assert missing.exit_code != 0 and "No cycle labelled 1999-00" in missing.output
