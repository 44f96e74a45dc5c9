"""Fixtures: the app on SQLite or PostgreSQL, a real SMTP server, clean tables per test."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from portal import create_app, migrate
from portal.db import get_db
from portal.models import DEFAULT_SECTOR_VARIANTS, DEFAULT_SECTORS, Base, Sector, User
from tests.support import (
    factories,
    free_port,
    postgres_reachable,
    postgres_server_url,
    require,
    scratch_postgres_database,
    submit_form,
)

BACKEND = os.environ.get("TEST_DB", "sqlite")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """postgres_only tests run in the PostgreSQL pass (TEST_DB=postgresql); the SQLite pass
    deselects them rather than skipping, so a skip always means a missing component."""
    if BACKEND == "postgresql":
        return
    chosen = [i for i in items if i.get_closest_marker("postgres_only") is None]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
        items[:] = chosen


class Mailbox:
    """Messages an aiosmtpd server received; addresses in `reject` get a 550.

    Web requests only queue mail. `to(address)` first runs the outbox delivery cron would run
    (when the test uses the `app` fixture), so a test reads what a user would find in their
    inbox; `messages` is only what the server has received so far."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.reject: set[str] = set()
        self.lock = threading.Lock()
        self.cron: Any = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if address.lower() in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        if self.cron is not None:
            self.cron()
        return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
        self.reject.clear()
        self.cron = None


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


def deliver(app: Flask) -> None:
    """What cron or the mail worker does after a request queued mail (requests never send)."""
    from portal.delivery import deliver_from_app
    from portal.models import utcnow

    deliver_from_app(app, now=utcnow())


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A migrated, empty database for the session: SQLite by default, PostgreSQL with TEST_DB."""
    if BACKEND == "postgresql":
        server = postgres_server_url()
        if not postgres_reachable(server):
            pytest.exit("TEST_DB=postgresql but no PostgreSQL server at TEST_POSTGRES_URL", 3)
        with scratch_postgres_database(server) as url:  # type: ignore[arg-type]
            migrate.upgrade(url)
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'test.sqlite3'}"
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def app(database_url: str, smtp_server: tuple[Controller, Mailbox]) -> Flask:
    controller = smtp_server[0]
    return create_app(
        "testing", DATABASE_URL=database_url, MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port, SECRET_KEY="test-secret-key-that-is-long-enough-to-use",
        SERVER_NAME_FOR_LINKS="http://portal.test",
    )


TABLES_TO_CLEAN = [t for t in reversed(Base.metadata.sorted_tables) if t.name != "sectors"]


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts from a migrated database holding only the default sectors."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    with get_db(app).transaction() as session:
        for table in TABLES_TO_CLEAN:
            session.execute(delete(table))
        session.execute(delete(Sector))
        session.execute(insert(Sector), [
            {"name": n, "position": i, "default_variant": DEFAULT_SECTOR_VARIANTS.get(n, "full")}
            for i, n in enumerate(DEFAULT_SECTORS, 1)])


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


def sign_in(client: FlaskClient, user: User, password: str = factories.PASSWORD) -> None:
    response = submit_form(client, "/sign-in", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


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
