"""PostgreSQL connections that died while idle in the pool (the server restarted, a firewall
dropped them) are replaced on checkout, so the next request does not fail; connections in steady
use are not pinged on every request."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from portal import db as portal_db
from tests.support import postgres_server_url


def _kill_backends(url: str) -> None:
    """Terminate every other session of the database, as a server restart would."""
    name = url.rsplit("/", 1)[1]
    admin = create_engine(postgres_server_url() or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    admin.dispose()


def test_an_idle_connection_that_died_is_replaced_on_checkout(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = portal_db.make_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    _kill_backends(postgres_url)
    monkeypatch.setattr(portal_db, "IDLE_PING_SECONDS", 0.0)  # idle long enough to be checked
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 2")).scalar() == 2
    engine.dispose()


def test_without_the_idle_check_the_dead_connection_fails_once_then_the_pool_recovers(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = portal_db.make_engine(postgres_url)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    _kill_backends(postgres_url)
    monkeypatch.setattr(portal_db, "IDLE_PING_SECONDS", 3600.0)  # used a moment ago: no check
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    with engine.connect() as conn:  # the pool was invalidated: a new connection
        assert conn.execute(text("SELECT 3")).scalar() == 3
    engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged_and_an_idle_one_is(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pings: list[object] = []
    real_ping = portal_db._ping
    monkeypatch.setattr(portal_db, "_ping", lambda conn: (pings.append(conn), real_ping(conn)))
    engine = portal_db.make_engine(postgres_url)
    for _ in range(5):
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    assert pings == []
    monkeypatch.setattr(portal_db, "IDLE_PING_SECONDS", 0.0)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert len(pings) == 1
    engine.dispose()
