"""Opening a cycle from the web only queues its invitations, in a constant number of SQL
statements: a cycle of 500 agencies takes the same statements as one of 50, and no SMTP
connection is made during the request. So the request's cost does not grow with the partnership
(gunicorn's default worker timeout is 30 s); how long 5,000 agencies take through the web is a
figure `make bench` prints (scripts/bench_security.py), not something a test times."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import Cycle, OutboxMessage, Return, Role
from portal.services.cycles import create_cycle
from tests.support import (
    csrf_from,
    factories,
    register_agencies,
    server_statements,
    sign_in,
    statements,
    url_for,
)
from tests.support.mail import Mailbox

SMALL, LARGE = 50, 500


def open_from_the_web(app: Flask, client: FlaskClient, cycle: Cycle) -> tuple[int, int, str]:
    """POST the cycle's opening; the SQL statements that request ran (as SQLAlchemy calls, and
    as the database runs them, each row of an executemany counted), and the page it led to."""
    preview = client.get(url_for(app, "cycles.preview", cycle_id=cycle.id)).get_data(as_text=True)
    with statements(get_db(app).engine) as ran, server_statements(get_db(app).engine) as served:
        response = client.post(url_for(app, "cycles.open",
                                       cycle_id=cycle.id), data={"csrf_token": csrf_from(preview)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return len(ran), len(served), client.get(response.headers["Location"]).get_data(as_text=True)


def test_opening_a_cycle_from_the_web_queues_its_mail_in_statements_independent_of_its_size(
    app: Flask, client: FlaskClient, db: Session, tool: object, mailbox: Mailbox
) -> None:
    register_agencies(db, SMALL, "A")
    register_agencies(db, LARGE, "B")
    cycles = {n: create_cycle(db, label=label, cohort=cohort, deadline=date(2030, 6, 28),
                              now=datetime(2030, 4, 1))
              for n, label, cohort in ((SMALL, "2030-31", "A"), (LARGE, "2031-32", "B"))}
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)

    counted, served = {}, {}
    for agencies, cycle in cycles.items():
        counted[agencies], served[agencies], page = open_from_the_web(app, client, cycle)
        assert f"{agencies} returns issued" in page
        assert f"{agencies} emails are queued" in page  # one invitation each: it sets the password
        assert mailbox.messages == []  # queued only: nothing reached the SMTP server

    assert counted[SMALL] == counted[LARGE], counted
    if get_db(app).engine.dialect.name == "postgresql":  # where each executemany row is a round trip
        assert served[SMALL] == served[LARGE] == counted[LARGE] <= 100, served
    assert db.scalar(select(func.count(Return.id))) == SMALL + LARGE
    assert db.scalar(select(func.count(OutboxMessage.id))
                     .where(OutboxMessage.status == "pending")) == SMALL + LARGE
