"""The visit pack's "biggest changes since the last return": the largest moves in self-grade
first (ties in tool order), at most five, and never a question whose grade is unchanged."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal.models import CycleStatus, Return
from portal.services.cycles import create_cycle
from portal.services.reporting import PROBES_SHOWN
from tests.support import sign_in, url_for
from tests.support.moderation_factories import drawn, grade, submit

OUT, G, RI, INAD, NA = "outstanding", "good", "requires_improvement", "inadequate", "not_applicable"
BEFORE = {"1.1": G, "1.2": OUT, "1.3": G, "1.4": INAD, "2.1": G, "2.2": G, "2.3": G, "2.4": G,
          "2.5": NA, "3.1": G, "3.2": RI}
NOW = {"1.1": RI, "1.2": INAD, "1.3": INAD, "1.4": OUT, "2.1": OUT, "2.2": RI, "2.3": RI, "2.4": G,
       "2.5": INAD, "3.1": G, "3.2": RI}
# moves in steps: 1.2 and 1.4 by three (down, up), 1.3 by two, 1.1, 2.1, 2.2 and 2.3 by one;
# 2.4, 3.1 and 3.2 unchanged; 2.5 was not applicable, so it has no grade to move from.
EXPECTED = ["1.2", "1.4", "1.3", "1.1", "2.1"]


def _changes_section(pdf: bytes) -> str:
    text = " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(io.BytesIO(pdf)).pages)
    start = text.index("The biggest changes since the last return (2015-16)")
    return text[start:text.index("Not applicable answers and their reasons", start)]


def test_the_visit_pack_lists_the_biggest_grade_changes_largest_first(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    made, manager = drawn(db)
    visit = made[0]
    agency = visit.return_.agency
    earlier = create_cycle(db, label="2015-16", cohort="A", deadline=date(2016, 1, 29),
                           now=datetime(2015, 11, 2, 9))
    earlier.status = CycleStatus.CLOSED.value
    before = Return(cycle_id=earlier.id, agency_id=agency.id, variant="full")
    db.add(before)
    db.flush()
    submit(before)
    grade(db, before, BEFORE)
    grade(db, visit.return_, NOW)
    db.commit()
    sign_in(client, manager)  # type: ignore[arg-type]

    response = client.get(url_for(app, "moderation.pack", visit_id=visit.id))
    assert response.status_code == 200
    section = _changes_section(response.data)
    shown = re.findall(r"\b(\d+\.\d+) ", section)
    assert shown == EXPECTED and len(shown) == PROBES_SHOWN
    for code in ("2.4", "3.1", "3.2", "2.5", "2.2", "2.3"):
        assert code not in shown
    assert "Outstanding then, Inadequate now" in section  # 1.2
    assert "Inadequate then, Outstanding now" in section  # 1.4
    assert "Good then, Inadequate now" in section  # 1.3
    assert "Good then, Good now" not in section
    assert "Requires improvement then, Requires improvement now" not in section
