"""Escalations that close: a recorded Chair meeting is no longer counted as needed anywhere,
"Record meeting" appears only where a meeting is needed, and an agency's page lists its returns
in every cycle with status, dates and escalations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Escalation, Role
from portal.services import cycles
from tests.support import factories, sign_in, submit_form, url_for
from tests.support.cycle_pages import tables, text_of


def _two_missed_cycles(db: Session) -> tuple[Any, Any]:
    """Riverside misses 2017-18 and 2018-19 (Chair meeting needed); Abbeydale misses 2018-19."""
    twice = factories.agency(db, "Riverside Youth Club", cohort="B")
    factories.agency(db, "Hillside Football Club", cohort="B")
    first = cycles.create_cycle(db, label="2017-18", cohort="B", deadline=date(2017, 6, 30),
                                now=datetime(2017, 4, 3))
    for r in cycles.open_cycle(db, first, now=datetime(2017, 4, 3), links=None):
        if r.agency_id != twice.id:
            cycles.mark_submitted(db, r, now=datetime(2017, 6, 1))
    cycles.close_cycle(db, first, now=datetime(2017, 9, 1))
    once = factories.agency(db, "Abbeydale Primary School", cohort="A")
    second = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                 now=datetime(2018, 4, 3))
    cycles.open_cycle(db, second, now=datetime(2018, 4, 3), links=None)
    cycles.close_cycle(db, second, now=datetime(2018, 9, 1))
    db.commit()
    return twice, once


def test_a_recorded_chair_meeting_is_no_longer_needed_and_record_appears_only_where_needed(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    twice, once = _two_missed_cycles(db)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    page = client.get(url_for(app, "cycles.escalations_page",
                              cycle="") + str(cycles.get_cycle(db, "2018-19").id))
    html = page.get_data(as_text=True)
    assert "2 escalations; 1 need a Chair meeting." in text_of(html)
    rows = {row[0]: row for row in tables(html)["escalations"][1:]}
    assert "Record meeting" in rows["Riverside Youth Club Health"][3]
    assert "Record meeting" not in rows["Abbeydale Primary School Health"][3]
    not_needed = db.scalar(select(Escalation).where(Escalation.agency_id == once.id))
    assert not_needed is not None
    refused = client.get(url_for(app, "cycles.chair_meeting",
                                 escalation_id=not_needed.id)).get_data(as_text=True)
    assert "no Chair meeting is needed" in text_of(refused) and "<form" not in refused.split(
        "<main")[1]

    needed = db.scalar(select(Escalation).where(Escalation.agency_id == twice.id,
                                                Escalation.chair_meeting_required.is_(True)))
    assert needed is not None
    saved = submit_form(client, url_for(app, "cycles.chair_meeting", escalation_id=needed.id),
                        {"meeting_on": ["14", "9", "2018"], "outcome": "Agreed a named lead"})
    assert saved.status_code == 302
    after = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "2 escalations; 0 need a Chair meeting." in text_of(after)
    rows = {row[0]: row for row in tables(after)["escalations"][1:]}
    assert "Chair meeting held" in rows["Riverside Youth Club Health"][3]
    assert "Chair meeting needed" not in text_of(after)


def test_an_agencys_page_lists_its_returns_in_every_cycle_with_escalations(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    twice, _ = _two_missed_cycles(db)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    html = client.get(url_for(app, "manager.agency_detail", agency_id=twice.id)).get_data(as_text=True)
    history = tables(html)["return-history"][1:]
    assert [row[0] for row in history] == ["2018-19 Carried over", "2017-18"]
    assert history[0][1] == "Not started" and history[0][3] == "Not submitted"
    assert "Escalated 1 September 2018" in history[0][4]
    assert "Chair meeting needed" in history[0][4]
    assert "Escalated 1 September 2017, carried into 2018-19" in history[1][4]
