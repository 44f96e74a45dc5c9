"""Act on any filtered list: paging and CSV at 1,000 returns, the at-risk count, and chasing the
overdue voluntary groups in bulk (preview, confirm the count, one email each, an audit event)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import Agency, AuditEvent, Chaser, Contact, Return, ReturnStatus, Role
from portal.services import cycles
from tests.support import csrf_from, factories, sign_in, url_for
from tests.support.cycle_pages import tables, text_of
from tests.support.mail import Mailbox

VOLUNTARY = "Voluntary and community"


def _thousand(db: Session) -> Any:
    """1,000 cohort-A agencies in two sectors, a cycle issued to all of them."""
    sectors = {name: factories.sector(db, name) for name in ("Health", VOLUNTARY)}
    db.add_all([Agency(name=f"Agency {n:04d}", sector=sectors["Health" if n % 4 else VOLUNTARY],
                       cohort="A", variant="full",
                       contacts=[Contact(name=f"Lead {n}", email=f"lead{n}@a{n}.example.org",
                                         is_primary=True)])
                for n in range(1000)])
    db.flush()
    cycle = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=datetime(2018, 4, 3))
    cycles.open_cycle(db, cycle, now=datetime(2018, 4, 3), links=None)
    db.commit()
    return cycle


def test_returns_lists_page_and_export_at_1000_returns(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    cycle = _thousand(db)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    last = client.get(url_for(app, "cycles.dashboard", cycle_id=cycle.id, page="10")).get_data(as_text=True)
    assert "1000 returns found" in text_of(last) and "Page 10 of 10" in text_of(last)
    rows = tables(last)["return-list"][1:]
    assert len(rows) == 100 and rows[-1][0] == "Agency 0999"
    voluntary = client.get(url_for(app, "cycles.dashboard", cycle_id=cycle.id,
                                   sector=factories.sector(db, VOLUNTARY).id, page=3)).get_data(as_text=True)
    assert "250 returns found" in text_of(voluntary) and "Page 3 of 3" in text_of(voluntary)

    exported = client.get(url_for(app, "cycles.returns_csv", cycle_id=cycle.id))
    listed = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert len(listed) == 1000 and listed[0]["agency"] == "Agency 0000"
    assert listed[999]["contact_email"] == "lead999@a999.example.org"

    db.execute(update(Return).values(status=ReturnStatus.SUBMITTED.value,
                                     submitted_at=datetime(2018, 6, 1)))
    db.commit()
    page = client.get(url_for(app, "manager_returns.index", page="10")).get_data(as_text=True)
    assert "1000 submitted returns" in text_of(page) and "Page 10 of 10" in text_of(page)
    assert len(tables(page)["submitted-returns"]) == 101  # header and 100 rows


def test_the_at_risk_count_and_list_show_carried_over_agencies_not_submitted(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    missed = factories.agency(db, "Riverside Youth Club", sector_name=VOLUNTARY, cohort="B")
    first = cycles.create_cycle(db, label="2017-18", cohort="B", deadline=date(2017, 6, 30),
                                now=datetime(2017, 4, 3))
    cycles.open_cycle(db, first, now=datetime(2017, 4, 3), links=None)
    cycles.close_cycle(db, first, now=datetime(2017, 9, 1))
    factories.agency(db, "Abbey Surgery", cohort="A")
    cycle = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=datetime(2018, 4, 3))
    cycles.open_cycle(db, cycle, now=datetime(2018, 4, 3), links=None)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    page = client.get(url_for(app, "cycles.dashboard", cycle_id=cycle.id)).get_data(as_text=True)
    assert 'id="at-risk">1<' in page
    at_risk = client.get(url_for(app, "cycles.dashboard", cycle_id=cycle.id,
                                 status="at_risk")).get_data(as_text=True)
    assert [row[0] for row in tables(at_risk)["return-list"][1:]] == [missed.name]
    exported = client.get(url_for(app, "cycles.returns_csv", cycle_id=cycle.id,
                                  status="at_risk")).get_data(as_text=True)
    assert [r["agency"] for r in csv.DictReader(io.StringIO(exported))] == [missed.name]
    for elsewhere in (url_for(app, "chasers.cycle",
                              cycle_id=cycle.id), url_for(app, "cycles.escalations_page")):
        assert "1 carried-over agency has not submitted" in text_of(
            client.get(elsewhere).get_data(as_text=True)), elsewhere


def test_the_manager_chases_the_overdue_voluntary_groups_once_each(
    app: Flask, client: FlaskClient, db: Session, tool: Any, mailbox: Mailbox
) -> None:
    groups = [factories.agency(db, f"Group {n}", sector_name=VOLUNTARY,
                               email=f"lead@group{n}.example.org") for n in range(3)]
    factories.agency(db, "Abbey Surgery", sector_name="Health", email="lead@abbey.example.org")
    cycle = cycles.create_cycle(db, label="2020-21", cohort="A", deadline=date(2021, 1, 29),
                                now=datetime(2020, 11, 2))
    returns = cycles.open_cycle(db, cycle, now=datetime(2020, 11, 2), links=None)
    cycles.mark_submitted(db, next(r for r in returns if r.agency_id == groups[2].id),
                          now=datetime(2021, 1, 20))
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    sector = factories.sector(db, VOLUNTARY).id
    url = url_for(app, "bulk_chase.preview", cycle_id=cycle.id, status="overdue", sector=sector, carried="")
    preview = client.get(url).get_data(as_text=True)
    assert "2 agencies in this list have not submitted" in text_of(preview)
    assert "Send 2 emails" in preview
    assert "and it has passed" in text_of(preview).replace("&#39;", "'")  # said late, truly

    form = {"csrf_token": csrf_from(preview), "status": "overdue", "sector": str(sector),
            "carried": "", "stage": _first_stage(preview)}
    stale = client.post(url_for(app, "bulk_chase.send", cycle_id=cycle.id), data={**form, "expected": "3"})
    assert stale.status_code == 302
    assert db.scalar(select(Chaser.id)) is None
    sent = client.post(url_for(app, "bulk_chase.send", cycle_id=cycle.id), data={**form, "expected": "2"})
    assert sent.status_code == 302
    assert "2 chasers sent, one to each agency" in text_of(
        client.get(sent.headers["Location"]).get_data(as_text=True))
    for n in (0, 1):
        assert len(mailbox.to(f"lead@group{n}.example.org")) == 1
    assert mailbox.to("lead@group2.example.org") == [] == mailbox.to("lead@abbey.example.org")
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "chasers.bulk_sent"))
    assert event is not None and event.user_id == manager.id


def _first_stage(html: str) -> str:
    marker = 'name="stage"'
    chosen = html.split(marker, 1)[1].split("selected", 1)[0]
    return chosen.rsplit('value="', 1)[1].split('"', 1)[0]
