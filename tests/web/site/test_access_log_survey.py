"""gunicorn's access log, configured by gunicorn.conf.py, writes no line for the public survey
(an address, a time and a browser beside a survey post would trace an answer to a person), and
still writes one for every other page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from portal import migrate
from tests.support import free_port, wait_until
from tests.support.processes import ROOT

BROWSER = "Survey-trace-test-browser/26"
pytestmark = pytest.mark.sqlite_pass_only  # its own SQLite file and server, whatever TEST_DB says


def _fetch(url: str, data: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers={"User-Agent": BROWSER})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _answers(url: str) -> bool:
    try:
        return _fetch(url) == 200
    except OSError:
        return False


def test_the_access_log_has_no_line_for_the_survey(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    migrate.upgrade(database)
    access_log = tmp_path / "access.log"
    port = free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": database,
           "SECRET_KEY": "gunicorn-access-log-test-secret-key-long"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(access_log), "app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{base}/sign-in"), "gunicorn to serve the sign-in page",
                   timeout=120)
        _fetch(f"{base}/survey/no-such-link")
        _fetch(f"{base}/survey/no-such-link", data=b"S1=agree")
        _fetch(f"{base}/survey/thank-you")
        assert _fetch(f"{base}/sign-in") == 200
    finally:
        process.terminate()
        process.wait(30)
    lines = access_log.read_text().splitlines()
    assert any("/sign-in" in line and BROWSER in line for line in lines)  # the log is on
    assert not [line for line in lines if "/survey/" in line]


def test_gunicorn_writes_its_own_lines_as_json_when_the_app_does(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    migrate.upgrade(database)
    error_log = tmp_path / "error.log"
    port = free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "LOG_FORMAT": "json",
           "DATABASE_URL": database, "SECRET_KEY": "gunicorn-error-log-test-secret-key-long"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
         "--error-logfile", str(error_log), "app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/sign-in"),
                   "gunicorn to serve the sign-in page", timeout=120)
    finally:
        process.terminate()
        process.wait(30)
    lines = [json.loads(line) for line in error_log.read_text().splitlines()]
    messages = [line["message"] for line in lines]
    assert any(m.startswith("Booting worker") for m in messages), messages
    assert all({"time", "level", "logger"} <= set(line) for line in lines)
