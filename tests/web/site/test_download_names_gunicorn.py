"""Downloads named after agencies and sectors outside Latin-1, served through gunicorn (which
fails a response whose header it cannot encode): each is a 200 whose Content-Disposition has an
ASCII filename and a filename* that decodes back to the name in its own letters."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar

import pytest
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from portal import migrate
from portal.models import ModerationSample, Role, Sector, Visit
from tests.support import factories, free_port, second_factor, url_for
from tests.support.downloads import file_names
from tests.support.processes import ROOT
from tests.support.returns_helpers import issue, return_of

SECTOR = "Świetlice i Ŵyliau"  # Ś and Ŵ are outside Latin-1
AGENCIES = ("Polska Szkoła Sobotnia", "Ysgol Gymraeg Ŵ")
MANAGER = "lead@example.org"
STARTING = 120.0  # seconds gunicorn may take to boot its worker
pytestmark = pytest.mark.sqlite_pass_only  # its own SQLite file and server, whatever TEST_DB says


@dataclass
class Site:
    url: str
    label: str
    cycle_id: int
    visits: dict[str, int]


def _made(database: str) -> Site:
    engine = create_engine(database)
    with Session(engine) as session, session.begin():
        session.add(Sector(name=SECTOR, position=99))
        session.flush()
        manager = factories.user(session, Role.MANAGER, email=MANAGER)
        factories.tool(session)
        agencies = [factories.agency(session, name, sector_name=SECTOR) for name in AGENCIES]
        cycle = issue(session)
        sample = ModerationSample(cycle_id=cycle.id, rate=0.1, seed=1, population=[], chosen=[])
        session.add(sample)
        visits = {}
        for agency in agencies:
            visit = Visit(sample=sample, return_=return_of(session, agency, cycle),
                          manager_id=manager.id, ics_uid=f"visit-{agency.id}@portal.test")
            session.add(visit)
            session.flush()
            visits[agency.name] = visit.id
        site = Site("", cycle.label, cycle.id, visits)
    engine.dispose()
    return site


def _started(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """gunicorn, once it has booted its worker: its log read as it is written (a thread drains
    it, so a full pipe never stalls the server), waited on with a deadline, never slept for."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    booted = threading.Event()

    def read_log() -> None:
        for line in process.stderr or ():
            log.append(line)
            if "Booting worker" in line:
                booted.set()
        booted.set()  # the server stopped: stop waiting

    threading.Thread(target=read_log, daemon=True).start()
    if not booted.wait(STARTING) or process.poll() is not None:
        process.terminate()
        raise AssertionError("gunicorn did not start:\n" + "".join(log))
    return process


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    database = f"sqlite:///{tmp_path_factory.mktemp('names') / 'portal.sqlite3'}"
    migrate.upgrade(database)
    made = _made(database)
    port = free_port()
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": database,
           "SECRET_KEY": "gunicorn-names-test-secret-key-long-enough"}
    process = _started([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                        "app:app"], env)
    try:
        made.url = f"http://127.0.0.1:{port}"
        yield made
    finally:
        process.terminate()
        process.wait(20)


@pytest.fixture(scope="module")
def browser(app: Flask, site: Site) -> urllib.request.OpenerDirector:
    """The manager, signed in."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{site.url}/sign-in", timeout=60).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    body = urllib.parse.urlencode({"csrf_token": token.group(1), "email": MANAGER,
                                   "password": factories.PASSWORD}).encode()
    signed_in = opener.open(f"{site.url}/sign-in", data=body, timeout=60)
    assert url_for(app, "auth.sign_in") not in signed_in.url, "the manager could not sign in"
    set_up = signed_in.read().decode()  # a manager sets up an authenticator app first
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', set_up)
    assert token is not None and url_for(app, "security.set_up") in signed_in.url
    code = second_factor.code_at(second_factor.key_on(set_up), second_factor.current_step())
    body = urllib.parse.urlencode({"csrf_token": token.group(1), "code": code}).encode()
    assert "recovery-codes" in opener.open(signed_in.url, data=body, timeout=60).read().decode()
    return opener


def _download(browser: urllib.request.OpenerDirector, url: str) -> tuple[str, str | None, bytes]:
    try:
        response = browser.open(url, timeout=120)
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{url}: {error.code}") from error
    assert response.status == 200, url
    header = response.headers["Content-Disposition"]
    assert header.isascii(), header
    return (*file_names(header), response.read())


@pytest.mark.parametrize("agency", AGENCIES)
def test_an_agencys_visit_pack_is_named_after_it(site: Site, browser: urllib.request.OpenerDirector,
                                                 agency: str) -> None:
    plain, own, content = _download(browser, f"{site.url}/moderation/visits/"
                                             f"{site.visits[agency]}/pack.pdf")
    assert content.startswith(b"%PDF")
    expected = {"Polska Szkoła Sobotnia": ("polska-szkola-sobotnia", "polska-szkoła-sobotnia"),
                "Ysgol Gymraeg Ŵ": ("ysgol-gymraeg-w", "ysgol-gymraeg-ŵ")}[agency]
    assert plain == f"visit-pack-{expected[0]}.pdf"
    assert own == f"visit-pack-{expected[1]}.pdf"


@pytest.mark.parametrize(("fmt", "starts"), [("pdf", b"%PDF"), ("csv", b"\xef\xbb\xbf"),
                                             ("xlsx", b"PK")])
def test_a_sectors_report_is_named_after_it(site: Site, browser: urllib.request.OpenerDirector,
                                            fmt: str, starts: bytes) -> None:
    query = urllib.parse.urlencode({"sector": SECTOR})
    plain, own, content = _download(browser, f"{site.url}/reports/{site.label}/report.{fmt}?{query}")
    assert content.startswith(starts)
    assert plain == f"mesc-report-{site.label}-swietlice-i-wyliau.{fmt}"
    assert own == f"mesc-report-{site.label}-świetlice-i-ŵyliau.{fmt}"


def test_the_cycles_returns_list_names_the_agencies_and_the_file(
    site: Site, browser: urllib.request.OpenerDirector
) -> None:
    plain, own, content = _download(browser, f"{site.url}/cycles/{site.cycle_id}/returns.csv")
    assert (plain, own) == (f"returns-{site.label}.csv", None)  # an ASCII name needs no filename*
    text = content.decode("utf-8-sig")
    assert all(agency in text for agency in AGENCIES)
