"""Closing a cycle while agencies save: `flask cycles close` runs as its own process (as the
manager's worker would) while this process keeps saving a standard of the cycle's returns, one
agency after another, through the app. Prints the close's time and what the saves waited.

A save that arrives during the close waits for the returns' rows the close is updating, and
then finds the cycle closed; the figure that matters is how long a save is kept waiting."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from bench_parts.http_load import PASSWORD, _prepare_users, _save_body

ROOT = Path(__file__).resolve().parents[2]
LABEL = "2026-27"  # the cycle the benchmark opened (bench_parts/jobs.py)
AFTER_FINAL_DEADLINE = "2027-03-31T09:00:00"
MAX_WAIT = 2.0  # seconds: a save may wait for the close's row locks, but not for its report


def measure(database: Any, url: str, engine: str, size: int, results: Any) -> None:
    from portal import create_app

    app = create_app("testing", DATABASE_URL=url, WTF_CSRF_ENABLED=False)
    savers = [_saver(app, email, return_id) for email, return_id in _prepare_users(database)]
    env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": url}
    started = time.perf_counter()
    close = subprocess.Popen([str(ROOT / ".venv/bin/flask"), "cycles", "close", "--label", LABEL,
                              "--now", AFTER_FINAL_DEADLINE], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    waits, statuses = [], []
    while close.poll() is None:
        for post in savers:
            begun = time.perf_counter()
            statuses.append(post())
            waits.append(time.perf_counter() - begun)
            if close.poll() is not None:
                break
    seconds = time.perf_counter() - started
    if close.returncode != 0:
        raise SystemExit(f"flask cycles close failed: {close.stderr.read().decode() if close.stderr else ''}")
    worst = max(waits, default=0.0)
    results.add("closing the open cycle while agencies save", engine, size,
                f"close {seconds:.2f} s; {len(waits)} saves meanwhile, wait median "
                f"{statistics.median(waits) * 1000:.0f} ms, max {worst * 1000:.0f} ms "
                f"({sum(s < 400 for s in statuses)} answered 2xx/3xx)",
                f"no save waits more than {MAX_WAIT:.0f} s", worst <= MAX_WAIT)


def _saver(app: Any, email: str, return_id: int) -> Any:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    path = f"/agency/returns/{return_id}/standards/1"
    body = MultiDict(parse_qsl(_save_body(client.get(path).get_data(as_text=True))))
    client.post(path, data=body)  # the first save makes the standard; later ones re-post it
    body = MultiDict(parse_qsl(_save_body(client.get(path).get_data(as_text=True))))
    return lambda: client.post(path, data=body).status_code
