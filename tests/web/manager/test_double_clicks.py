"""Double clicks: two presses of "Close the cycle" (or "Draw the sample") arriving at once do the
thing once; the second gets a page saying so, never a 500, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Escalation, ModerationSample, Role, Visit
from portal.services import cycles
from tests.support import csrf_from, factories, page_text, sign_in, url_for
from tests.support.moderation_factories import cycle_with_returns, members

NOW = datetime(2018, 4, 1, 9, 0)


def _both_at_once(app: Flask, clients: list[FlaskClient], url: str,
                  data: dict[str, Any] | None = None) -> list[Any]:
    """POST the same form from each client at the same moment (each with its own token)."""
    tokens = [csrf_from(c.get(url).get_data(as_text=True)) for c in clients]
    start = threading.Barrier(len(clients))
    responses: list[Any] = [None] * len(clients)

    def press(n: int) -> None:
        start.wait()
        responses[n] = clients[n].post(url, data={"csrf_token": tokens[n], **(data or {})})

    threads = [threading.Thread(target=press, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


def test_closing_a_cycle_twice_at_once_closes_it_once_and_never_gives_a_500(
    app: Flask, db: Session, tool: Any
) -> None:
    for n in range(3):
        factories.agency(db, f"Agency {n}", cohort="A")
    cycle = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=NOW)
    cycles.open_cycle(db, cycle, now=NOW, links=None)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        sign_in(client, manager)

    responses = _both_at_once(app, clients, url_for(app, "cycles.close", cycle_id=cycle.id))

    codes = sorted(r.status_code for r in responses)
    assert all(code < 500 for code in codes), [r.get_data(as_text=True)[:3000] for r in responses]
    assert 302 in codes
    [second] = [r for r in responses if r.status_code != 302]
    assert "Cycle 2018-19 is already closed" in page_text(second)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Escalation)) == 3


def test_drawing_the_sample_twice_at_once_draws_it_once_and_never_gives_a_500(
    app: Flask, db: Session, tool: Any
) -> None:
    cycle_with_returns(db, {"Health": 12, "Statutory": 8})
    manager = factories.user(db, Role.MANAGER, name="Pat Manager")
    members(db, ["Alex Board", "Bea Carter"])
    db.commit()
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        sign_in(client, manager)

    responses = _both_at_once(app, clients, url_for(app, "moderation_admin.draw", label="2017-18"),
                              {"rate": "10", "seed": "", "exclude_recent": "0", "replacing": "0"})

    assert all(r.status_code < 500 for r in responses), [page_text(r)[:2000] for r in responses]
    db.expire_all()
    samples = db.scalars(select(ModerationSample)).all()
    assert len([s for s in samples if s.superseded_at is None]) == 1
    assert len(db.scalars(select(Visit)).all()) == 2
