"""Edges of the web service (issue 24): forgotten-password timing, the finding/completion race,
what /healthz tells strangers, forwarded hosts, and the size of reflected redirects."""

from __future__ import annotations

import statistics
import time

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, OutboxMessage, Role
from tests import factories
from tests.support import csrf_from


def test_forgot_password_takes_as_long_for_an_unknown_address_as_for_a_real_one(
    client: FlaskClient, db: Session
) -> None:
    """The one allowed timed comparison (like the sign-in one): medians of 100 of each."""
    users = [factories.user(db, Role.MANAGER, password=None) for _ in range(100)]
    db.commit()
    token = csrf_from(client.get("/forgot-password").get_data(as_text=True))

    def ask(email: str) -> float:
        started = time.perf_counter()
        response = client.post("/forgot-password", data={"csrf_token": token, "email": email})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        return elapsed

    for n in range(5):  # warm both paths (templates, statements) before measuring
        ask(f"warm-up-{n}@example.org")
    known, unknown = [], []
    for n, user in enumerate(users):  # interleaved, one request per address: under the throttle
        known.append(ask(user.email))
        unknown.append(ask(f"nobody-{n}@example.org"))
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.9 <= ratio <= 1.1, (ratio, statistics.median(known), statistics.median(unknown))
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 100  # known only
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "user.reset_unknown")) == 105
