"""Behind gunicorn with 4 workers, sign-in limits hold: per account (database) and per address (Redis)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from portal import migrate
from portal.models import User
from portal.services.accounts import hash_password
from tests.support import free_port, require

ROOT = Path(__file__).resolve().parents[2]


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise AssertionError("the server stopped while starting")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:  # refused, reset or timed out while the workers start
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    require(server is not None, "redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",  # type: ignore[list-item]
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    time.sleep(0.3)
    yield f"redis://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[str]:
    database = f"sqlite:///{tmp_path_factory.mktemp('gunicorn') / 'portal.sqlite3'}"
    migrate.upgrade(database)
    engine = create_engine(database)
    with Session(engine) as session, session.begin():
        session.add(User(email="lead@example.org", role="manager", name="Lead",
                         password_hash=hash_password("purple walrus kettle drum")))
    engine.dispose()
    port = free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": database,
           "RATELIMIT_STORAGE_URI": redis_url, "TRUSTED_PROXIES": "1",
           "SECRET_KEY": "gunicorn-test-secret-key-long-enough-to-use"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}", "app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(20)


def attempt(base: str, email: str, password: str, client_address: str) -> tuple[int, str]:
    """One browser's sign-in (its own cookie and token), arriving through the trusted proxy."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    headers = {"X-Forwarded-For": client_address}
    page = opener.open(urllib.request.Request(f"{base}/sign-in", headers=headers)).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    request = urllib.request.Request(f"{base}/sign-in", data=body.encode(), headers=headers)
    try:
        response = opener.open(request)
        return response.status, response.headers.get("Server", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Server", "")


def test_one_account_from_twenty_addresses_is_throttled(portal_url: str) -> None:
    statuses = [attempt(portal_url, "lead@example.org", f"wrong guess {n}", f"198.51.100.{n}")[0]
                for n in range(20)]
    assert statuses.count(429) >= 15, statuses
    right, _ = attempt(portal_url, "lead@example.org", "purple walrus kettle drum", "198.51.100.99")
    assert right == 429  # still paused: the right password does not get through


def test_twenty_accounts_from_one_address_are_throttled_across_workers(portal_url: str) -> None:
    results = [attempt(portal_url, f"guess{n}@example.org", "password", "203.0.113.7")
               for n in range(20)]
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 10 and statuses.count(429) == 10, statuses
    other = attempt(portal_url, "guess@example.org", "password", "203.0.113.8")[0]
    assert other == 200  # another client is not locked out by this one
    assert all(server in ("", None) for _, server in results)  # not "gunicorn"
