"""Engine, one session per request, commit at the request boundary."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from portal import row_security


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        if self.engine.dialect.name == "postgresql":
            event.listen(self.sessionmaker, "after_begin", _set_partnership)
            event.listen(self.sessionmaker, "after_transaction_end", _forget_partnership)

    @contextmanager
    def transaction(self, *, partnership_id: int | None = None) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error (CLI, jobs),
        in the partnership given, or else in the installation's only one (see `set_scope`)."""
        with self.sessionmaker() as session:
            if partnership_id is not None:
                set_scope(session, partnership_id)
            with session.begin():
                yield session


# Row-level security (portal/row_security.py): each transaction of the app's sessions sets the
# partnership it may see, on PostgreSQL, in the statement that opens it. A session that names its
# partnership (`set_scope`) gets that one. One that does not gets the installation's only
# partnership while there is one, worked out by the same statement (no cache to go stale when a
# partnership is made in another process), and no partnership at all, so no owned rows, once the
# installation hosts several. SQLite has no row-level security: nothing is run there.
_SCOPE = "portal_partnership_id"  # session.info: the partnership the session names
_APPLIED = "portal_partnership_set"  # session.info: what the open transaction has set
_SET_NAMED = text(row_security.SET_NAMED)
_SET_ONLY = text(row_security.SET_ONLY)


def set_scope(session: Session, partnership_id: int) -> None:
    """Name the partnership a session works in: on PostgreSQL its transactions see and write
    that partnership's rows only. An open transaction is switched at once (one statement, none
    when it already shows that partnership)."""
    session.info[_SCOPE] = partnership_id
    applied = session.info.get(_APPLIED)
    if applied is not None and applied != str(partnership_id):
        session.info[_APPLIED] = session.connection().execute(
            _SET_NAMED, {"id": partnership_id}).scalar_one()


def _set_partnership(session: Session, _transaction: SessionTransaction,
                     connection: Connection) -> None:
    named = session.info.get(_SCOPE)
    shown = (connection.execute(_SET_ONLY) if named is None
             else connection.execute(_SET_NAMED, {"id": named}))
    session.info[_APPLIED] = shown.scalar_one()


def _forget_partnership(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the setting is LOCAL: it ends with the outer transaction
        session.info.pop(_APPLIED, None)


def make_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {"future": True}
    _ensure_sqlite_folder(url)
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["connect_args"] = {"connect_timeout": 5}  # an outage fails fast, not in 30 s
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        event.listen(engine, "checkout", _ping_if_idle)
        event.listen(engine, "checkin", _note_return)
    return engine


IDLE_PING_SECONDS = 10.0


def _note_return(_dbapi_connection: Any, record: Any) -> None:
    record.info["returned_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Check a pooled connection that has been idle a while before handing it out; a dead one
    (the server restarted) is replaced, so no request fails for it.

    SQLAlchemy's pool_pre_ping checks every checkout: a round trip and a millisecond of CPU on
    every request, a sixth of a task list's. A connection in steady use does not need it: if the
    server goes away under it, the request fails once and the pool starts afresh."""
    returned = record.info.get("returned_at")
    if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
        return
    try:
        _ping(dbapi_connection)
    except Exception as exc:  # any failure: the pool discards it and connects again
        raise DisconnectionError(str(exc)) from exc


def _ping(dbapi_connection: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SELECT 1")
    cursor.close()


def _ensure_sqlite_folder(url: str) -> None:
    """A SQLite file's folder (instance/ by default) is created on first use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def unicode_lower(value: Any) -> Any:
    """SQL lower() as PostgreSQL's (UTF-8, a real locale) folds: every letter, not ASCII alone."""
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() folds only A-Z: "ŁÓDŹ" and "łódź" were two agencies there and one on
    # PostgreSQL. Deterministic, so the lower(name) and lower(email) unique indexes may use it.
    dbapi_connection.create_function("lower", 1, unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    if ":memory:" not in str(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["portal_db"]


def db_session() -> Session:
    """The current request's session, opened on first use; it works in the request's
    partnership when the request has named one (`g.scope`; portal.scoping)."""
    if "db_session" not in g:
        g.db_session = get_db().sessionmaker()
        scope = g.get("scope")
        if scope is not None:
            set_scope(g.db_session, scope.id)
    return g.db_session


def register_database(app: Flask) -> None:
    app.extensions["portal_db"] = Database(app.config["DATABASE_URL"])

    @app.after_request
    def commit_session(response: Response) -> Response:
        session = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if response.status_code < 500:
                session.commit()
            else:
                _rollback_quietly(session)
        finally:
            session.close()
        return response

    @app.teardown_request
    def close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:  # an exception skipped after_request: nothing is committed
            _rollback_quietly(session)
            session.close()


def _rollback_quietly(session: Session) -> None:
    """Roll back; with the database gone there is nothing to undo, and the error page must
    still be sent."""
    try:
        session.rollback()
    except SQLAlchemyError:
        session.invalidate()

def database_reason(exc: DBAPIError) -> str:
    """The first line of the driver's message: what went wrong, without the SQL or traceback."""
    lines = str(exc.orig or "").strip().splitlines()
    return lines[0] if lines else type(exc).__name__
