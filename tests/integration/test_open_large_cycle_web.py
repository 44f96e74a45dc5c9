"""Opening a cycle of 5,000 agencies from the web: the request commits quickly and only queues
the invitations (gunicorn's default worker timeout is 30 s; a request must stay well within it)."""

from __future__ import annotations

import time
from datetime import date, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from portal.models import Agency, Contact, OutboxMessage, Return, Role, Sector
from portal.services.cycles import create_cycle
from tests import factories
from tests.conftest import sign_in
from tests.support import submit_form

AGENCIES = 5000
WORKER_TIMEOUT = 30


def _register(db: Session) -> None:
    """5,000 agencies in cohort A with a contact each, inserted in bulk."""
    sector_id = db.scalar(select(Sector.id).where(Sector.name == "Health"))
    now = datetime(2026, 1, 5)
    db.execute(insert(Agency), [
        {"name": f"Agency {n:04}", "sector_id": sector_id, "cohort": "A", "variant": "full",
         "active": True, "created_at": now, "updated_at": now} for n in range(AGENCIES)])
    ids = db.scalars(select(Agency.id).order_by(Agency.id)).all()
    db.execute(insert(Contact), [
        {"agency_id": agency_id, "name": f"Lead {n}", "email": f"Lead{n}@Agency{n}.example.org",
         "is_primary": True} for n, agency_id in enumerate(ids)])


def test_opening_a_5000_agency_cycle_from_the_web_only_queues_mail_within_the_worker_timeout(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    _register(db)
    manager = factories.user(db, Role.MANAGER)
    cycle = create_cycle(db, label="2030-31", cohort="A", deadline=date(2030, 6, 28),
                         now=datetime(2030, 4, 1))
    db.commit()
    sign_in(client, manager)
    preview = f"/cycles/{cycle.id}/preview"

    started = time.monotonic()
    response = submit_form(client, f"/cycles/{cycle.id}/open", {}, get_url=preview)
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    print(f"opened a {AGENCIES}-agency cycle through the web in {elapsed:.1f} s")
    assert elapsed < WORKER_TIMEOUT
    assert db.scalar(select(func.count(Return.id))) == AGENCIES
    queued = db.scalar(select(func.count(OutboxMessage.id))
                       .where(OutboxMessage.status == "pending"))
    assert queued == 2 * AGENCIES  # an invitation and a set-password link each, all queued
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{AGENCIES} returns issued" in page and f"{2 * AGENCIES} emails are queued" in page
