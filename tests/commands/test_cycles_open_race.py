"""Two `flask cycles open` runs at once against PostgreSQL: one opens the cycle, the other says
so plainly (no traceback) and changes nothing."""

from __future__ import annotations

import os
import subprocess

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Cycle, Return
from tests.support import factories
from tests.support.processes import FLASK, ROOT


@pytest.mark.postgres_only
def test_the_losing_cycles_open_prints_a_clear_message(app: Flask, db: Session) -> None:
    factories.tool(db)
    for n in range(30):
        factories.agency(db, f"Agency {n:02}", email=f"lead{n}@example.org")
    db.commit()
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "PORTAL_ENV": "testing",
           "SECRET_KEY": app.config["SECRET_KEY"]}
    command = [FLASK, "--app", "app", "cycles", "open", "--label", "2030-31", "--cohort", "A",
               "--deadline", "2030-06-28", "--now", "2030-04-01T09:00"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert sorted(run.returncode for run in runs) == [0, 1], outputs
    loser = next(err for run, (_, err) in zip(runs, outputs, strict=True) if run.returncode)
    assert "Traceback" not in loser
    assert "2030-31" in loser and ("another run" in loser or "already exists" in loser)
    assert db.scalar(select(func.count(Cycle.id))) == 1
    assert db.scalar(select(func.count(Return.id))) == 30
