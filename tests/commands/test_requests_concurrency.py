"""Request reminders exactly once when two runs race (PostgreSQL: row locks, unique constraint)."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal import create_app
from portal.db import get_db
from portal.models import RequestReminder
from portal.services.requests import send_due_reminders, send_request
from tests.support import factories
from tests.support.processes import FLASK, ROOT, flask_env
from tests.support.request_helpers import LINKS, new_request

AGENCIES = 30
pytestmark = pytest.mark.postgres_only


@pytest.fixture
def pg_app(postgres_url: str, smtp_server: Any) -> Iterator[Flask]:
    """A migrated scratch PostgreSQL database holding a request to 30 agencies, none answered."""
    env = flask_env(postgres_url, smtp_server[0].port)
    subprocess.run([FLASK, "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    made = create_app("testing", DATABASE_URL=postgres_url, MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=smtp_server[0].port, SECRET_KEY=env["SECRET_KEY"])
    with get_db(made).transaction() as session:
        for n in range(1, AGENCIES + 1):
            factories.agency(session, f"Agency {n:02}", email=f"lead{n:02}@agency.example.org")
        send_request(session, new_request(), now=datetime(2018, 5, 1, 9), links=LINKS)
    yield made
    get_db(made).engine.dispose()


def test_two_concurrent_reminder_runs_send_each_reminder_once(
    pg_app: Flask, postgres_url: str, smtp_server: Any, mailbox: Any
) -> None:
    env = flask_env(postgres_url, smtp_server[0].port)
    command = [FLASK, "--app", "app", "requests", "remind", "--now", "2018-05-23T07:00"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    queued = [int(re.search(r"Request reminders queued: (\d+)", out).group(1))  # type: ignore[union-attr]
              for out, _ in outputs]
    assert sum(queued) == AGENCIES
    reminders = Counter(m["To"] for m in mailbox.messages if "not yet answered" in str(m["Subject"]))
    assert len(reminders) == AGENCIES and set(reminders.values()) == {1}


def test_a_run_skips_recipients_another_run_is_reminding(pg_app: Flask) -> None:
    sessions = get_db(pg_app).sessionmaker
    now = datetime(2018, 5, 23, 7)
    with sessions() as first, first.begin():
        taken = send_due_reminders(first, now=now, links=LINKS)
        with sessions() as second, second.begin():  # while the first has not committed
            assert send_due_reminders(second, now=now, links=LINKS) == []
    assert len(taken) == AGENCIES
    with sessions() as third, third.begin():
        assert send_due_reminders(third, now=now, links=LINKS) == []
        assert third.scalar(select(func.count(RequestReminder.id))) == AGENCIES
