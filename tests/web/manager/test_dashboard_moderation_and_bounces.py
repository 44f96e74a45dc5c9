"""The cycle dashboard shows moderation progress against the 10% target and bounced addresses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services import cycles
from tests.support import factories, sign_in, url_for

OPENED = datetime(2018, 4, 3, 9)


def test_dashboard_shows_visit_target_and_bounced_contacts(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    made = [factories.agency(db, f"Agency {n:02d}") for n in range(12)]
    made[0].contacts[0].bounced_at = OPENED
    made[0].contacts[0].bounce_reason = "550 No such user"
    cycle = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=OPENED)
    returns = cycles.open_cycle(db, cycle, now=OPENED, links=None)
    for return_ in returns[1:]:
        cycles.mark_submitted(db, return_, now=OPENED)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)

    html = client.get(url_for(app, "cycles.dashboard", cycle_id=cycle.id)).get_data(as_text=True)

    assert "1 contact address bounced — update it" in html
    assert made[0].contacts[0].email in html
    assert url_for(app, "manager.agency_edit", agency_id=made[0].id) in html
    # 11 submitted: the target is ceil(10% of 11) = 2, and nothing is planned yet.
    assert "2 visits for 11 submitted returns" in html
    assert "0 of 2" in html
