"""Fixtures: the app on SQLite or PostgreSQL, a real SMTP server, clean tables per test."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import delete, event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal import create_app, migrate
from portal.db import get_db
from portal.models import DEFAULT_SECTOR_VARIANTS, DEFAULT_SECTORS, Partnership, Sector
from portal.models.partnership import FIRST_PARTNERSHIP_ID
from portal.services.accounts import _passwords
from portal.web import limiter
from tests.support import (
    BACKEND,
    TABLES_TO_CLEAN,
    app_role_url,
    factories,
    free_port,
    owner_engine,
    postgres_reachable,
    postgres_server_url,
    require,
    scratch_postgres_database,
)
from tests.support.mail import Mailbox, deliver

# No wall clock in any test: Hypothesis's per-example deadline (200 ms) and its "too slow" health
# check fail property tests on a loaded machine, so neither applies anywhere in the suite. In CI
# the examples are derandomised (as Hypothesis's own CI profile does), so a failure reproduces.
_IN_CI: dict[str, Any] = {"derandomize": True, "database": None} if os.environ.get("CI") == "true" else {}
settings.register_profile("no-wall-clock", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow], **_IN_CI)
settings.load_profile("no-wall-clock")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """postgres_only tests run in the PostgreSQL pass (TEST_DB=postgresql); the SQLite pass
    deselects them rather than skipping, so a skip always means a missing component. The
    PostgreSQL pass deselects the no_database tests: on either engine they run the same code."""
    left_out = "no_database" if BACKEND == "postgresql" else "postgres_only"
    chosen = [i for i in items if i.get_closest_marker(left_out) is None]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
        items[:] = chosen


@pytest.fixture(scope="session", autouse=True)
def _lowest_password_cost() -> Iterator[None]:
    """The app hashes new passwords (and checks unknown addresses against a dummy hash) with
    argon2id at the lowest cost in tests: 1 ms instead of 0.32 CPU s a hash and 0.19 s a check.
    The hash still records its cost, so the real check runs. Tests of the production cost
    (its parameters, the unknown-address timing) ask for `production_password_cost`."""
    production = _passwords._hasher
    _passwords._hasher = factories.CHEAP_HASHER
    _passwords._dummy_hash.cache_clear()
    yield
    _passwords._hasher = production
    _passwords._dummy_hash.cache_clear()


@pytest.fixture
def production_password_cost() -> Iterator[None]:
    """The app's own argon2id parameters for this test (see `_lowest_password_cost`)."""
    cheap, _passwords._hasher = _passwords._hasher, factories.PRODUCTION_HASHER
    _passwords._dummy_hash.cache_clear()
    yield
    _passwords._hasher = cheap
    _passwords._dummy_hash.cache_clear()


DATABASE_FIXTURES = frozenset({"app", "db", "client", "database_url", "postgres_url"})


@pytest.fixture(autouse=True)
def _no_database_is_checked(request: pytest.FixtureRequest) -> Iterator[None]:
    """A no_database test (left out of the PostgreSQL pass) proves it: it may not ask for a
    database fixture, even by `getfixturevalue`, and no SQLAlchemy engine may connect while it
    runs."""
    if request.node.get_closest_marker("no_database") is None:
        yield
        return
    connected: list[str] = []

    def record(connection: Any) -> None:
        connected.append(str(connection.engine.url))

    event.listen(Engine, "engine_connect", record)
    try:
        yield
    finally:
        event.remove(Engine, "engine_connect", record)
    asked = DATABASE_FIXTURES & set(request.fixturenames)
    assert not asked and not connected, (
        f"marked no_database but used {sorted(asked)} and connected to {connected}")


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, Mailbox]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Controller, Mailbox], request: pytest.FixtureRequest) -> Mailbox:
    box = smtp_server[1]
    box.clear()
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        box.cron = lambda: deliver(app)
    return box


@pytest.fixture(scope="session")
def database_owner_url() -> Iterator[str]:
    """A migrated, empty database for the session, as the role that owns its tables (it migrates
    and cleans): SQLite by default, PostgreSQL with TEST_DB."""
    if BACKEND == "postgresql":
        server = postgres_server_url()
        if not postgres_reachable(server):
            pytest.exit("TEST_DB=postgresql but no PostgreSQL server at TEST_POSTGRES_URL", 3)
        with scratch_postgres_database(server) as url:  # type: ignore[arg-type]
            migrate.upgrade(url)
            yield url
        return
    with tempfile.TemporaryDirectory(dir=_memory_backed_folder()) as folder:
        url = f"sqlite:///{Path(folder) / 'test.sqlite3'}"
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def database_url(database_owner_url: str) -> str:
    """The database as the app connects to it. On PostgreSQL that is the portal_app role, which
    owns nothing (as in production), so every test runs under row-level security."""
    if BACKEND == "postgresql":
        return app_role_url(database_owner_url)
    return database_owner_url


def _memory_backed_folder() -> str | None:
    """/dev/shm when it has room (a gigabyte), else the usual temporary folder. The session's
    SQLite database is committed to about 14 times a test, and on disk every commit waits for
    the WAL's fsync: 3.7 ms a commit on this machine's disk, 0.04 ms in memory. CI containers
    often give /dev/shm only 64 MB: then the disk it is."""
    shm = Path("/dev/shm")
    try:
        return str(shm) if shutil.disk_usage(shm).free > 2**30 and os.access(shm, os.W_OK) else None
    except OSError:
        return None


@pytest.fixture(scope="session")
def app(database_url: str, database_owner_url: str,
        smtp_server: tuple[Controller, Mailbox]) -> Flask:
    controller = smtp_server[0]
    return create_app(
        "testing", DATABASE_URL=database_url, DATABASE_OWNER_URL=database_owner_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port, SECRET_KEY="test-secret-key-that-is-long-enough-to-use",
        SERVER_NAME_FOR_LINKS="http://portal.test",
    )


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts from a migrated database holding only the default sectors."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    if BACKEND == "postgresql":  # as the owner, whom row-level security lets see every row
        owner = owner_engine(request.getfixturevalue("database_owner_url"))
        with owner.begin() as connection:
            connection.exec_driver_sql(_cleaning_script(owner.dialect))
        return
    with get_db(app).transaction() as session:
        for statement in _cleaning(session.get_bind().dialect):
            session.execute(statement)


_DEFAULT_SECTOR_ROWS = [
    {"name": n, "position": i, "default_variant": DEFAULT_SECTOR_VARIANTS.get(n, "full")}
    for i, n in enumerate(DEFAULT_SECTORS, 1)]


def _cleaning(_dialect: Any) -> list[Any]:
    """Empty every table, then put the default sectors back; of the partnerships only the
    installation's own (the migration's) stays."""
    return [*(delete(table) for table in TABLES_TO_CLEAN), delete(Sector),
            delete(Partnership).where(Partnership.id != FIRST_PARTNERSHIP_ID),
            insert(Sector).values(_DEFAULT_SECTOR_ROWS)]


@functools.cache
def _cleaning_script(dialect: Any) -> str:
    """The same statements as one script, sent to PostgreSQL in one round trip: 42 statements
    one by one took 114 to 304 ms of wall time a test on the loaded machine (12 to 20 CPU ms),
    the script 20 to 30 ms (2.5 CPU ms)."""
    return ";\n".join(str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
                      for statement in _cleaning(dialect))


@pytest.fixture(autouse=True)
def _rate_limits_as_configured(request: pytest.FixtureRequest) -> None:
    """Flask-Limiter keeps one switch for every app in the process, set by the last app made: a
    test that makes an app with the limits on must not leave them on for the tests after it (the
    test app has them off), and limits count afresh in each test."""
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    if limiter.enabled:
        limiter.reset()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session for arranging and checking data; commit what the app should see.

    Unlike the app's sessions it expires objects on commit, so that what a test reads after
    committing reflects changes the app (another session or process) made meanwhile."""
    session = get_db(app).sessionmaker(expire_on_commit=True)
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def tool(db: Session) -> Any:
    made = factories.tool(db)
    db.commit()
    return made


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A scratch PostgreSQL database (for tests that need PostgreSQL whatever TEST_DB says)."""
    server = postgres_server_url()
    require(postgres_reachable(server), "no PostgreSQL server at TEST_POSTGRES_URL")
    with scratch_postgres_database(server) as url:  # type: ignore[arg-type]
        yield url


@pytest.fixture(autouse=True)
def _push_request_context() -> None:
    """Overrides pytest-flask's fixture: a context pushed around each test would make every
    request in the test share one `g` (and so one CSRF token and one db session)."""


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client that does not keep request contexts alive between requests (pytest-flask's
    does, which would let a second client's requests share the first's `g`)."""
    return app.test_client()
