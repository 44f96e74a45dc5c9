"""`flask survey links` prints a CSV that a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency
from tests.support import survey_fixture

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"Click\")", "+44 Family Services", "-1+2 Youth",
           "@SUM(A1:A9) Trust"]


def test_survey_links_defuse_agency_names_a_spreadsheet_would_run_as_formulas(
        app: Flask, db: Session, tmp_path: Path) -> None:
    survey_fixture.build(db, tmp_path)
    agencies = list(db.scalars(select(Agency).order_by(Agency.id)))
    for agency, name in zip(agencies, HOSTILE, strict=False):
        agency.name = name
    db.commit()

    printed = app.test_cli_runner().invoke(args=["survey", "links", "--cycle", "2026-27"])
    assert printed.exit_code == 0, printed.output
    rows = list(csv.DictReader(io.StringIO(printed.output)))
    shown = {r["agency"] for r in rows}
    assert {f"'{name}" for name in HOSTILE} <= shown  # shown as text, exactly as typed
    assert not any(r["agency"][:1] in "=+-@" for r in rows)
    assert all(r["url"].startswith("http://portal.test/survey/") for r in rows)
