"""Behind gunicorn with 4 workers: sign-in limits hold per account (database) and per address
(Redis), and spreadsheet bombs are refused while the site keeps answering. (How fast the bombs
are refused is a figure `make bench` prints: scripts/bench_security.py.)"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from portal import migrate
from portal.models import Role
from tests.support import bomb, factories, free_port, require, url_for, wait_until
from tests.support.processes import ROOT
from tests.support.returns_helpers import issue, return_of

AGENCY_USER = "scouts@example.org"
RETURN_IDS: list[int] = []
pytestmark = pytest.mark.sqlite_pass_only  # its own SQLite file and server, whatever TEST_DB says


def _answers(url: str, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise AssertionError("the server stopped while starting")
    try:
        urllib.request.urlopen(url, timeout=5)
        return True
    except OSError:  # refused, reset or timed out while the workers start
        return False


def _redis_answers(port: int, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise AssertionError("redis-server stopped while starting")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:  # not listening yet
        return False


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    require(server is not None, "redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",  # type: ignore[list-item]
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    wait_until(lambda: _redis_answers(port, process), "redis-server answering PING")
    yield f"redis://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[str]:
    database = f"sqlite:///{tmp_path_factory.mktemp('gunicorn') / 'portal.sqlite3'}"
    migrate.upgrade(database)
    engine = create_engine(database)
    with Session(engine) as session, session.begin():
        factories.user(session, Role.MANAGER, email="lead@example.org", name="Lead",
                       password="purple walrus kettle drum", production_hash=True)
        factories.tool(session)
        agency = factories.agency(session, "Hillside Scouts", variant="short")
        factories.user(session, Role.AGENCY, agency=agency, email=AGENCY_USER)
        RETURN_IDS.append(return_of(session, agency, issue(session)).id)
    engine.dispose()
    port = free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": database,
           "RATELIMIT_STORAGE_URI": redis_url, "TRUSTED_PROXIES": "1",
           "SECRET_KEY": "gunicorn-test-secret-key-long-enough-to-use"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}", "app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz", process),
                   "gunicorn answering /healthz")
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


def multipart(token: str, content: bytes) -> tuple[bytes, str]:
    boundary = "portal-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"return.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_spreadsheet_bombs_are_refused_while_the_site_keeps_answering(app: Flask, portal_url: str) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    headers = {"X-Forwarded-For": "192.0.2.50"}

    def open_(url: str, data: bytes | None = None, extra: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(f"{portal_url}{url}", data=data,
                                         headers={**headers, **(extra or {})})
        try:
            return opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            return error

    page = open_(url_for(app, "auth.sign_in")).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    open_(url_for(app, "auth.sign_in"), urllib.parse.urlencode({"csrf_token": token, "email": AGENCY_USER,
                                              "password": factories.PASSWORD}).encode())
    base = url_for(app, "agency.spreadsheet", return_id=RETURN_IDS[0])
    workbook = open_(base).read()
    upload_page = open_(f"{base}/upload").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', upload_page).group(1)  # type: ignore[union-attr]
    body, content_type = multipart(token, bomb(workbook))

    def upload() -> int:
        return int(open_(f"{base}/upload", body, {"Content-Type": content_type}).status)

    with ThreadPoolExecutor(max_workers=3) as pool:  # 3 bombs at once on 4 workers
        uploads = [pool.submit(upload) for _ in range(3)]
        others = [urllib.request.urlopen(f"{portal_url}/sign-in", timeout=30).status
                  for _ in range(10)]  # meanwhile, other people's pages
        results = [u.result() for u in uploads]
    assert results == [400] * 3
    assert others == [200] * 10
    assert open_("/healthz").status == 200  # no worker was lost to the bombs
