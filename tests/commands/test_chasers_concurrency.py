"""Exactly once under concurrency: two chaser runs at the same moment against PostgreSQL."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal import create_app
from portal.db import get_db
from portal.models import Chaser, Cycle, OutboxMessage, Return
from portal.services.accounts import LinkSettings
from portal.services.chasers import Rules, ensure_default_stages, record_chaser, send_due_chasers
from portal.services.cycles import create_cycle, open_cycle
from tests.support import factories
from tests.support.chaser_helpers import DEADLINE
from tests.support.processes import FLASK, ROOT, flask_env

AGENCIES = 40
LINKS = LinkSettings(secret_key="k" * 40, base_url="http://portal.test", hours=72,
                     partnership="Anyshire Safeguarding Children Partnership",
                     help_email="help@example.org")


@pytest.fixture
def pg_app(postgres_url: str, smtp_server: Any) -> Iterator[Flask]:
    """A migrated scratch PostgreSQL database (by `flask db upgrade`) holding an open cycle."""
    env = flask_env(postgres_url, smtp_server[0].port)
    subprocess.run([FLASK, "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    made = create_app("testing", DATABASE_URL=postgres_url, MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=smtp_server[0].port, SECRET_KEY=env["SECRET_KEY"])
    with get_db(made).transaction() as session:
        factories.tool(session)
        for n in range(1, AGENCIES + 1):
            factories.agency(session, f"Agency {n:02}", email=f"lead{n:02}@agency.example.org")
        cycle = create_cycle(session, label="2018-19", cohort="A", deadline=DEADLINE,
                             now=datetime(2018, 4, 2, 9))
        open_cycle(session, cycle, now=datetime(2018, 4, 2, 9), links=None)
    yield made
    get_db(made).engine.dispose()


def test_two_concurrent_chaser_runs_send_each_chaser_once(
    pg_app: Flask, postgres_url: str, smtp_server: Any, mailbox: Any
) -> None:
    env = flask_env(postgres_url, smtp_server[0].port)
    command = [FLASK, "--app", "app", "chasers", "send", "--now", "2018-05-11T07:00"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    queued = [int(re.search(r"Chasers queued: (\d+)", out).group(1))  # type: ignore[union-attr]
              for out, _ in outputs]
    assert sum(queued) == AGENCIES
    received = Counter(m["To"] for m in mailbox.messages)
    assert len(received) == AGENCIES and set(received.values()) == {1}
    with get_db(pg_app).transaction() as session:
        assert session.scalar(select(func.count(Chaser.id))) == AGENCIES
        assert session.scalar(select(func.count(OutboxMessage.id))) == AGENCIES


def test_a_run_skips_returns_another_run_is_chasing(pg_app: Flask) -> None:
    sessions = get_db(pg_app).sessionmaker
    now = datetime(2018, 5, 11, 7)
    with sessions() as setup, setup.begin():  # else the second would wait on the first's stages
        ensure_default_stages(setup, setup.scalars(select(Cycle)).one())
    with sessions() as first, first.begin():
        taken = send_due_chasers(first, now=now, links=LINKS)
        with sessions() as second, second.begin():  # runs while the first has not committed
            assert send_due_chasers(second, now=now, links=LINKS).sent == []
    assert len(taken.sent) == AGENCIES
    with sessions() as third, third.begin():
        assert send_due_chasers(third, now=now, links=LINKS).sent == []
        assert third.scalar(select(func.count(Chaser.id))) == AGENCIES


def test_the_unique_constraint_refuses_a_stage_recorded_twice(pg_app: Flask) -> None:
    sessions = get_db(pg_app).sessionmaker
    rules = Rules(today=date(2018, 5, 11), min_gap=0, now=datetime(2018, 5, 11, 7), links=LINKS)
    with sessions() as session, session.begin():
        return_ = session.scalars(select(Return).order_by(Return.id)).first()
        assert return_ is not None
        stage = ensure_default_stages(session, return_.cycle)[0]
        assert record_chaser(session, return_, stage, code=stage.code, due=None, rules=rules)
        # as if a run had read before the first chaser was committed: it is refused, quietly
        assert record_chaser(session, return_, stage, code=stage.code, due=None,
                             rules=rules) is None
        assert session.scalar(select(func.count(Chaser.id))) == 1  # the session is still usable
