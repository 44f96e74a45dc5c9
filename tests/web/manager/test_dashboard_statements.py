"""The cycle dashboard of an open cycle and the manager home send the same statements whatever
the cycle's size: their figures come from grouped aggregates and one page of the return list,
not a statement (or a scan of every chaser and contact) per return. 10 agencies against 200."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import Agency, Chaser, Cycle, Return, ReturnStatus, Role
from portal.services import cycles
from tests.support import factories, register_agencies, sign_in, statements, url_for

OPENED = datetime(2030, 11, 1)


def _open_cycle(db: Session) -> Cycle:
    for n in range(10):
        factories.agency(db, f"Agency {n}", cohort="A")
    cycle = cycles.create_cycle(db, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                                now=OPENED)
    returns = cycles.open_cycle(db, cycle, now=OPENED, links=None)
    cycles.mark_submitted(db, returns[0], now=datetime(2030, 12, 1))
    db.commit()
    return cycle


def _grow(db: Session, cycle: Cycle, agencies: int) -> None:
    """`agencies` more agencies with returns in the cycle, half started, each chased once."""
    register_agencies(db, agencies, "B")
    ids = db.scalars(select(Agency.id).where(Agency.cohort == "B").order_by(Agency.id)).all()
    db.execute(insert(Return), [
        {"cycle_id": cycle.id, "agency_id": agency_id, "variant": "full", "version": 1,
         "status": (ReturnStatus.IN_PROGRESS if n % 2 else ReturnStatus.NOT_STARTED).value,
         "carried_over": False} for n, agency_id in enumerate(ids)])
    return_ids = db.scalars(select(Return.id).where(Return.agency_id.in_(ids))).all()
    db.execute(insert(Chaser), [
        {"return_id": return_id, "stage_code": "reminder", "recorded_at": datetime(2030, 12, 2)}
        for return_id in return_ids])
    db.commit()


def _sent(app: Flask, client: FlaskClient, url: str) -> list[str]:
    with statements(get_db(app).engine) as ran:
        response = client.get(url)
    assert response.status_code == 200
    return ran


def test_dashboard_and_home_statements_do_not_grow_with_the_cycle(
        app: Flask, client: FlaskClient, db: Session, tool: Any) -> None:
    cycle = _open_cycle(db)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    dashboard = url_for(app, "cycles.dashboard", cycle_id=cycle.id)
    home = url_for(app, "manager.home")
    _sent(app, client, dashboard), _sent(app, client, home)  # warm: tool and session caches
    small = _sent(app, client, dashboard), _sent(app, client, home)
    _grow(db, cycle, 190)
    large = _sent(app, client, dashboard), _sent(app, client, home)
    assert len(large[0]) == len(small[0]) and len(large[1]) == len(small[1])
    page = client.get(dashboard).get_data(as_text=True)
    assert "200" in page  # the grown cycle's issued returns (10 + 190) are counted
