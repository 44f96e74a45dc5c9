"""Delivering the outbox with an app's settings: for `flask mail send` (cron), `flask mail
worker` and `flask chasers send`. Web requests never deliver: they only queue."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from portal.db import database_reason, get_db, make_engine
from portal.models import utcnow
from portal.services.mail import (
    BATCH_SIZE,
    DeliveryReport,
    deliver_outbox,
    limits_for,
    transport_for,
)


def deliver_from_app(
    app: Flask, *, now: datetime, limit: int = 5000, batch_size: int = BATCH_SIZE
) -> DeliveryReport:
    """Deliver what is due using an app's settings."""
    return deliver_outbox(_delivery_sessions(app), transport_for(app.config),
                          sender=app.config["MAIL_DEFAULT_SENDER"], now=now, limit=limit,
                          batch_size=batch_size, limits=limits_for(app.config))


def _delivery_sessions(app: Flask) -> sessionmaker[Session]:
    """Sessions for senders. On SQLite their commits skip the fsync (WAL, synchronous=NORMAL):
    a killed sender loses nothing, and an OS crash or power cut can lose only the last "sent"
    marks, which means a copy with the same Message-ID; that doubles a sender's throughput."""
    sessions = app.extensions.get("portal_delivery_sessions")
    if sessions is None:
        database = get_db(app)
        if database.engine.dialect.name != "sqlite":
            sessions = database.sessionmaker
        else:
            engine = make_engine(database.url)
            event.listen(engine, "connect", _skip_fsync)
            sessions = sessionmaker(engine, expire_on_commit=False)
        app.extensions["portal_delivery_sessions"] = sessions
    return sessions


def _skip_fsync(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def run_worker(
    app: Flask, *, stop: threading.Event, interval: float, paused_interval: float,
    on_report: Callable[[DeliveryReport], None] | None = None,
    notify: Callable[[str], None] = print,
) -> None:
    """Deliver until `stop` is set: a batch at a time, waiting `interval` seconds when the outbox
    is empty and `paused_interval` when the mail server has a problem. A stop request lets the
    batch in hand finish, so nothing is left claimed. A database error (a restart, an outage)
    never ends the worker: it says so once, retries with backoff up to `paused_interval`, and
    says when the database is back."""
    outage = _Outage(first=interval, longest=paused_interval, notify=notify)
    while not stop.is_set():
        try:
            report = deliver_from_app(app, now=utcnow(), limit=200)
        except DBAPIError as exc:
            stop.wait(outage.failed(exc))
            continue
        outage.ended()
        if on_report is not None and (report.attempted or report.paused or report.undelivered):
            on_report(report)
        if report.paused:
            stop.wait(paused_interval)
        elif report.attempted == 0:
            stop.wait(interval)


class _Outage:
    """A database outage as the worker sees it: one line when it starts, one when it ends, and
    a wait that doubles from `first` to `longest` between tries."""

    def __init__(self, *, first: float, longest: float, notify: Callable[[str], None]) -> None:
        self.first, self.longest, self.notify = first, longest, notify
        self.wait: float | None = None

    def failed(self, exc: DBAPIError) -> float:
        if self.wait is None:
            self.notify(f"Database unavailable ({database_reason(exc)}): retrying every "
                        f"{self.first:g} s to {self.longest:g} s")
            self.wait = min(self.first, self.longest)
        else:
            self.wait = min(self.wait * 2, self.longest)
        return self.wait

    def ended(self) -> None:
        if self.wait is not None:
            self.notify("Database available again: delivering")
            self.wait = None
