"""Helpers tests share: real components, and failing (not skipping) under CI when one is missing."""

from __future__ import annotations

import functools
import io
import os
import re
import socket
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask import url_for as flask_url_for
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, insert, make_url, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal import migrate
from portal.db import make_engine
from portal.models import Agency, Base, Contact, Sector, User
from tests.support import second_factor
from tests.support.factories import PASSWORD

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"

# The engine the suite runs on (TEST_DB: sqlite or postgresql), and the tables each test empties.
BACKEND = os.environ.get("TEST_DB", "sqlite")
# what the migrations seed stays: the sectors (reset to their defaults after each test) and the
# installation's first partnership
TABLES_TO_CLEAN = [t for t in reversed(Base.metadata.sorted_tables)
                   if t.name not in {"sectors", "partnerships"}]


def require(condition: bool, reason: str) -> None:
    """Skip when a real component is missing on a developer's machine; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_server_url() -> str | None:
    """The PostgreSQL server scripts/test.sh started (an admin URL), if any."""
    return os.environ.get("TEST_POSTGRES_URL") or None


def postgres_reachable(url: str | None) -> bool:
    if not url:
        return False
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@contextmanager
def scratch_postgres_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server, dropped afterwards."""
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = server_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


# The role the app connects as on PostgreSQL, as in production (docs/deploy.md): it owns no
# table, so row-level security holds it. Server-wide, made once by whichever test process first
# needs it; its password serves servers that ask for one (scripts/postgres.sh's trusts).
APP_ROLE = "portal_app"
_MAKE_APP_ROLE = f"""DO $$ BEGIN
  CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE}' NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$"""


def app_role_url(owner_url: str) -> str:
    """`owner_url`'s database as the app's role sees it, with that role granted its rights."""
    admin = create_engine(owner_url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(_MAKE_APP_ROLE)
    finally:
        admin.dispose()
    app_url = make_url(owner_url).set(username=APP_ROLE, password=APP_ROLE)
    rendered = app_url.render_as_string(hide_password=False)
    assert migrate.grant_app_role(owner_url, rendered) == APP_ROLE
    admin = create_engine(owner_url)
    try:  # beyond production's rights: factories copy rows with their ids, then move ids on
        with admin.begin() as conn:
            conn.exec_driver_sql(f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    finally:
        admin.dispose()
    return rendered


def truncate_as_owner(app: Flask) -> None:
    """Empty every table TABLES_TO_CLEAN names by TRUNCATE (PostgreSQL), as the tables' owner:
    the app's role may not."""
    owner = owner_engine(app.config["DATABASE_OWNER_URL"] or app.config["DATABASE_URL"])
    with owner.begin() as conn:
        conn.exec_driver_sql("TRUNCATE " + ", ".join(t.name for t in TABLES_TO_CLEAN))


def empty_for_a_load(app: Flask, db: Session) -> None:
    """Before a large load through the app's role (the demo), on PostgreSQL: TRUNCATE as the
    owner, so that the planner reads the tables' real size rather than the statistics of the
    last test's emptied tables (the load's own ANALYZE is skipped for a role that owns none)."""
    if db.get_bind().dialect.name == "postgresql":
        db.commit()
        truncate_as_owner(app)


def analyze_as_owner(db: Session) -> None:
    """ANALYZE the database `db` works in (PostgreSQL), as the tables' owner: PostgreSQL skips
    the tables of a role that owns none (the app's), and planners that believe freshly filled
    tables empty choose nested loops that run for minutes. Analyses committed rows only."""
    bind = db.get_bind()
    if bind.dialect.name != "postgresql":
        return
    url = bind.engine.url
    if url.username == APP_ROLE:
        server = make_url(postgres_server_url() or "")
        url = server.set(database=url.database)
    with owner_engine(url.render_as_string(hide_password=False)).connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


@functools.cache
def owner_engine(owner_url: str) -> Engine:
    """One engine per process for the tables' owner (cleaning between tests), set up as the
    app's (SQLite's foreign keys on)."""
    return make_engine(owner_url)


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                          r'name="csrf_token" value="([^"]+)"|'
                          r'value="([^"]+)" name="csrf_token"')


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no csrf_token on the page"
    return next(g for g in match.groups() if g)


def submit_form(client: Any, url: str, data: dict[str, Any], *, get_url: str | None = None,
                **kwargs: Any) -> Any:
    """GET the page with the form (for its CSRF token), then POST the data to it."""
    page = client.get(get_url or url)
    assert page.status_code == 200, f"GET {get_url or url} gave {page.status_code}"
    return client.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True)), **data},
                       **kwargs)


def wait_until(ready: Callable[[], bool], what: str, *, timeout: float = 60.0) -> None:
    """Readiness, not timing: poll until `ready()` holds; fail (naming `what`) after a generous
    deadline. Use it to wait for a server to answer or for N messages to arrive, never to let
    time pass: prove an absence by running the work to completion instead."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not ready after {timeout:.0f} s")
        time.sleep(0.02)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` runs inside the block (an executemany counts once)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def server_statements(engine: Engine) -> Iterator[list[str]]:
    """The statements the database runs inside the block: each row of an executemany counts, as
    the driver sends (psycopg) or steps (sqlite3) the statement once per row."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
               executemany: bool) -> None:
        seen.extend([statement] * (len(parameters) if executemany else 1))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def url_for(app: Flask, endpoint: str, **values: Any) -> str:
    """The path `app` routes to `endpoint` (Flask's `url_for`), so a test names the page, not its
    address: `client.get(url_for(app, "agency.check", return_id=return_.id))`."""
    with app.test_request_context():
        return flask_url_for(endpoint, **values)


def page_text(response: Any) -> str:
    """The text a user reads on a response's page: `visible_text(page(response))`."""
    return visible_text(page(response))


def page(response: Any) -> BeautifulSoup:
    """A response's HTML parsed, to check what a user sees by selector and visible text."""
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def visible_text(soup: BeautifulSoup) -> str:
    """The text a user reads (scripts and styles left out), spaces squeezed."""
    shown = (s for s in soup.find_all(string=True)
             if s.parent is None or s.parent.name not in ("script", "style", "template"))
    return " ".join(" ".join(shown).split())


def rezip(content: bytes, replace: dict[str, bytes]) -> bytes:
    """The same .xlsx with some parts replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename not in replace:
                new.writestr(item, old.read(item.filename))
        for name, data in replace.items():
            new.writestr(name, data)
    return out.getvalue()


def bomb(content: bytes, megabytes: int = 60) -> bytes:
    """A real sheet whose rows unpack to `megabytes` MB from a small upload."""
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    body = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>' + row * (megabytes * 1000)
            + b"</sheetData></worksheet>")
    return rezip(content, {"xl/worksheets/sheet2.xml": body})


def register_agencies(db: Session, agencies: int, cohort: str) -> None:
    """`agencies` agencies in `cohort` with a contact each, inserted in bulk."""
    sector_id = db.scalar(select(Sector.id).where(Sector.name == "Health"))
    now = datetime(2026, 1, 5)
    db.execute(insert(Agency), [
        {"name": f"Agency {cohort}{n:04}", "sector_id": sector_id, "cohort": cohort,
         "variant": "full", "active": True, "created_at": now, "updated_at": now}
        for n in range(agencies)])
    ids = db.scalars(select(Agency.id).where(Agency.cohort == cohort).order_by(Agency.id)).all()
    db.execute(insert(Contact), [
        {"agency_id": agency_id, "name": f"Lead {n}",
         "email": f"Lead{n}@Agency{cohort}{n}.example.org", "is_primary": True}
        for n, agency_id in enumerate(ids)])


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Sign in with the password and, when the account needs one, the second factor (setting
    an authenticator app up first if it has none)."""
    sign_in_password_only(client, user, password)
    pass_second_factor(client, user.email)


def sign_in_password_only(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """The password step alone: an account that needs a second factor still owes it."""
    response = submit_form(client, url_for(client.application, "auth.sign_in"),
                           {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def pass_second_factor(client: FlaskClient, email: str) -> None:
    """Whatever the gate asks of this signed-in client: set up an app, or enter a code."""
    app = client.application
    asked = client.get(url_for(app, "auth.second_factor"))
    if asked.status_code == 302 and "/account/security/set-up" in asked.location:
        set_up_authenticator(client, email)
    elif asked.status_code == 200:
        code, recovery = second_factor.next_code(email)
        done = submit_form(client, url_for(app, "auth.second_factor",
                                           **({"method": "recovery"} if recovery else {})),
                           {"code": code})
        assert done.status_code == 302, page_text(done)[:2000]


def set_up_authenticator(client: FlaskClient, email: str) -> second_factor.Enrolment:
    """Set up an authenticator app through the set-up page, as its owner would."""
    url = url_for(client.application, "security.set_up")
    shown = client.get(url)
    assert shown.status_code == 200, shown.status_code
    html = shown.get_data(as_text=True)
    enrolment = second_factor.enrolled(email, second_factor.key_on(html))
    code, _ = second_factor.next_code(email)
    done = client.post(url, data={"csrf_token": csrf_from(html), "code": code})
    assert done.status_code == 200, page_text(done)[:2000]
    enrolment.recovery_codes = second_factor.recovery_codes_on(done.get_data(as_text=True))
    return enrolment
