"""One lookup for a report download: the web and `flask reports` refuse a draft cycle's report
alike, with the same reason, and write nothing."""

from __future__ import annotations

import html
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services import reporting
from portal.services.common import NotFound
from portal.services.cycles import create_cycle
from tests.support import factories, sign_in, url_for

DRAFT = "2027-28"
REASON = f"Cycle {DRAFT} has not opened yet: it has no report"


@pytest.fixture
def draft(db: Session) -> str:
    factories.tool(db)
    factories.agency(db, "Polska Szkoła Sobotnia", cohort="A")
    create_cycle(db, label=DRAFT, cohort="A", deadline=date(2028, 1, 28),
                 now=datetime(2027, 9, 1, 9, 0))
    db.commit()
    return DRAFT


def _refused_by_cli(app: Flask, *args: str) -> str:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code != 0, result.output
    return result.output


@pytest.mark.parametrize("fmt", ["pdf", "csv", "json", "xlsx"])
def test_a_draft_cycles_report_is_refused_by_the_cli_and_the_web_alike(
    app: Flask, client: FlaskClient, db: Session, draft: str, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"report.{fmt}"
    said = _refused_by_cli(app, "reports", "sector", "--cycle", draft, "--format", fmt,
                           "--out", str(out))
    assert f"Error: {REASON}" in said
    assert not out.exists()

    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    page = client.get(url_for(app, "reports.download", label=draft, fmt=fmt))
    assert page.status_code == 404
    assert f'<p class="govuk-body" id="not-found-reason">{html.escape(REASON)}</p>' in page.text


def test_every_page_of_a_draft_cycles_report_gives_the_same_reason(
    app: Flask, client: FlaskClient, db: Session, draft: str, tmp_path: Path
) -> None:
    said = _refused_by_cli(app, "reports", "annual", "--cycle", draft, "--format", "md",
                           "--out", str(tmp_path / "annual.md"))
    assert f"Error: {REASON}" in said
    member = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, member)
    for url in (url_for(app, "reports.cycle",
                        label=draft), url_for(app, "reports.annual", label=draft, fmt="md"),
                url_for(app, "reports.agency", label=draft,
                        agency_id=1), url_for(app, "reports.published_json", label=draft, version=1)):
        page = client.get(url)
        assert page.status_code == 404, url
        assert html.escape(REASON) in page.text, url


def test_the_lookup_refuses_a_format_it_cannot_render(db: Session, draft: str) -> None:
    with pytest.raises(NotFound, match="There is no docx download of the report"):
        reporting.report_download(db, draft, "docx", now=datetime(2027, 9, 2))
    with pytest.raises(NotFound, match=REASON):
        reporting.report_download(db, draft, "csv", now=datetime(2027, 9, 2))
