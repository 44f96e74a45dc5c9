"""The next cycle's MESC report says how the last cycle's recommendations progressed."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any

from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal.reports.sector_exports import render_json
from portal.reports.sector_pdf import render_sector_report
from portal.services.cycles import get_cycle
from portal.services.recommendations import NewRecommendation, add_update, record_recommendation
from portal.services.reporting import sector_report
from tests.support import report_fixture
from tests.support.report_fixture import CURRENT

LAST = "2023-24"  # the cycle before CURRENT in report_fixture (cohort B)


def test_the_pdf_and_json_show_progress_on_the_last_cycles_recommendations(
    db: Session, tool: Any
) -> None:
    report_fixture.build(db, tool)
    made = record_recommendation(db, get_cycle(db, LAST), NewRecommendation(
        text="The CCG gives evidence about GP practices' safer recruitment", standards=["6"],
        owner_kind="agency", owner_name="The CCG", due_on=date(2024, 6, 30)),
        now=datetime(2024, 3, 1, 9))
    add_update(db, made, status="in_progress", note="Evidence from 12 of 30 practices",
               on=date(2024, 5, 2), now=datetime(2024, 5, 2, 9))
    db.commit()

    report = sector_report(db, cycle_label=CURRENT)
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(render_sector_report(report))).pages)
    assert "Progress on the last cycle's recommendations" in text
    assert f"1 recommendation was recorded for {LAST}; 0 are done." in text
    assert "The CCG gives evidence about GP practices' safer recruitment" in text
    assert "2 May 2024: Evidence from 12 of 30 practices" in text
    data = json.loads(render_json(report))["previous_recommendations"]
    assert data["cycle"] == LAST
    assert data["recommendations"] == [{
        "text": "The CCG gives evidence about GP practices' safer recruitment", "standards": ["6"],
        "owner": "The CCG (an agency)", "due_on": "2024-06-30", "status": "In progress",
        "latest_update": "Evidence from 12 of 30 practices", "latest_update_on": "2024-05-02"}]
