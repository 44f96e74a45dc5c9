"""Concurrent command runs on SQLite end with clear lines, never a traceback: three first-run
`chasers send` at once, and two `cycles close` at once, each do the work once between them."""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal import create_app
from portal.db import get_db
from portal.models import Chaser, Cycle, Escalation
from portal.services.cycles import create_cycle, open_cycle
from tests.support import factories
from tests.support.chaser_helpers import DEADLINE
from tests.support.processes import FLASK, ROOT, flask_env

pytestmark = pytest.mark.sqlite_pass_only  # its own SQLite file, whatever TEST_DB says
AGENCIES = 20


@pytest.fixture
def sqlite_app(tmp_path: Path, smtp_server: Any) -> Iterator[Flask]:
    """A migrated SQLite file (by `flask db upgrade`) holding an open cycle, never chased."""
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    env = flask_env(url, smtp_server[0].port)
    subprocess.run([FLASK, "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    made = create_app("testing", DATABASE_URL=url, MAIL_SERVER="127.0.0.1",
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


def test_three_first_chaser_runs_at_once_chase_each_agency_once_without_a_traceback(
    sqlite_app: Flask, smtp_server: Any, mailbox: Any
) -> None:
    env = flask_env(sqlite_app.config["DATABASE_URL"], smtp_server[0].port)
    command = [FLASK, "--app", "app", "chasers", "send", "--now", "2018-05-11T07:00"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [run.communicate(timeout=180) for run in runs]

    for run, (out, err) in zip(runs, outputs, strict=True):
        assert "Traceback" not in out + err, err
        assert run.returncode == 0 or len(err.strip().splitlines()) == 1, err
    assert any(run.returncode == 0 for run in runs)
    received = Counter(m["To"] for m in mailbox.messages)
    assert len(received) == AGENCIES and set(received.values()) == {1}
    with get_db(sqlite_app).transaction() as session:
        assert session.scalar(select(func.count(Chaser.id))) == AGENCIES


def test_two_cycle_closes_at_once_close_it_once_and_the_other_says_so_in_one_line(
    sqlite_app: Flask, smtp_server: Any
) -> None:
    env = flask_env(sqlite_app.config["DATABASE_URL"], smtp_server[0].port)
    command = [FLASK, "--app", "app", "cycles", "close", "--label", "2018-19",
               "--now", "2018-09-01T09:00"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=180) for run in runs]

    assert sorted(run.returncode for run in runs) == [0, 1], outputs
    for out, err in outputs:
        assert "Traceback" not in out + err
        assert len((out + err).strip().splitlines()) == 1, out + err
    assert any("already closed" in err for _, err in outputs), outputs
    with get_db(sqlite_app).transaction() as session:
        assert session.scalar(select(Cycle.status)) == "closed"
        assert session.scalar(select(func.count(Escalation.id))) == AGENCIES
