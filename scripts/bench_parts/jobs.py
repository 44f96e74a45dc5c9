"""Batch jobs: opening a cycle, a chaser run, delivering the outbox, importing agencies."""

from __future__ import annotations

import os
import socket
import time
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from portal.db import Database
from portal.models import OutboxMessage, Return
from portal.services.accounts import LinkSettings

LINKS = LinkSettings(secret_key="bench-secret-key-that-is-long-enough!!", base_url="http://127.0.0.1",
                     hours=72, partnership="Benchmark Partnership", help_email="help@example.org")
DEADLINE = date(2027, 1, 29)
MAIL_BATCH = 2_000


def measure(database: Database, url: str, engine: str, size: int, results: Any, counter: Any, *,
            now: datetime) -> None:
    issued = open_cycle(database, engine, size, results, counter, now)
    mail(database, engine, size, results, now=now)  # the invitations, as the cron would send them
    chasers(database, engine, size, results, counter, issued)
    agencies_import(database, engine, size, results)


def open_cycle(database: Database, engine: str, size: int, results: Any, counter: Any,
               now: datetime) -> int:
    from portal.services import cycles

    with database.transaction() as session:
        cycle = cycles.create_cycle(session, label="2026-27", cohort="A", deadline=DEADLINE, now=now)
    started = time.perf_counter()
    with counter.counting() as queries, database.transaction() as session:
        logged = ServerLog(session) if engine == "postgresql" else None
        cycle = cycles.get_cycle(session, "2026-27")
        issued = len(cycles.open_cycle(session, cycle, now=now, links=LINKS))
        by_server = logged.count() if logged else None
    seconds = time.perf_counter() - started
    results.add("cycles open (returns issued)", engine, size,
                f"{seconds:.2f} s, {queries[0]:,} queries for {issued:,} returns",
                "< 5 s at 10k; queries per batch, not per return",
                (seconds < 5 and queries[0] < issued) if size >= 10_000 else None)
    if logged:
        results.add("cycles open: statements the server executed (log_statement)", engine, size,
                    f"{by_server:,} for {issued:,} returns" if by_server is not None else
                    f"not counted: {logged.path} is not readable", "<= 100",
                    by_server <= 100 if by_server is not None else None)
    return issued


class ServerLog:
    """Statements PostgreSQL itself executed for this session's transaction: `log_statement`
    is set for the transaction only, and the server log's lines of this backend counted (each
    row of an executemany is an execute of its own, which SQLAlchemy counts as one call). The
    log is the test server's (scripts/postgres.sh: server.log in its data directory)."""

    def __init__(self, session: Any) -> None:
        from sqlalchemy import text

        self.pid = session.scalar(text("SELECT pg_backend_pid()"))
        folder = session.scalar(text("SHOW data_directory"))
        self.path = os.environ.get("BENCH_POSTGRES_LOG") or os.path.join(folder, "server.log")
        try:
            self.start = os.path.getsize(self.path)
        except OSError:
            self.start = None
        session.execute(text("SET LOCAL log_statement = 'all'"))

    def count(self) -> int | None:
        if self.start is None:
            return None
        mark = f"[{self.pid}] LOG:  "
        with open(self.path, "rb") as log:
            log.seek(self.start)
            lines = log.read().decode(errors="replace").splitlines()
        return sum(1 for line in lines if mark in line and
                   (f"{mark}statement: " in line or f"{mark}execute " in line))


def chasers(database: Database, engine: str, size: int, results: Any, counter: Any,
            issued: int) -> None:
    from portal.services import chasers as chaser_service
    from portal.services.common import add_working_days

    stage_day = add_working_days(DEADLINE, -10)
    now = datetime.combine(stage_day, datetime.min.time()) + timedelta(hours=9)
    started = time.perf_counter()
    with counter.counting() as queries, database.transaction() as session:
        run = chaser_service.send_due_chasers(session, now=now, links=LINKS)
    seconds = time.perf_counter() - started
    results.add("chasers send on a stage day", engine, size,
                f"{seconds:.2f} s, {queries[0]:,} queries for {len(run.sent):,} chasers",
                "< 5 s at 10k; queries per batch, not per chaser",
                (seconds < 5 and queries[0] < max(len(run.sent), 1)) if size >= 10_000 else None)


class _Sink:
    """An SMTP server on 127.0.0.1 that accepts and drops every message."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        class Drop:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Drop(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> _Sink:
        self.controller.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.controller.stop()


def mail(database: Database, engine: str, size: int, results: Any, *, now: datetime) -> None:
    from portal.services.mail import SmtpSettings, SmtpTransport, deliver_outbox

    with database.sessionmaker() as session:
        queued = session.scalar(select(func.count(OutboxMessage.id))) or 0
    with _Sink() as sink:
        transport = SmtpTransport(SmtpSettings(server="127.0.0.1", port=sink.port))
        started = time.perf_counter()
        report = deliver_outbox(database.sessionmaker, transport, sender="audit@example.org",
                                now=now + timedelta(minutes=1), limit=MAIL_BATCH)
        seconds = time.perf_counter() - started
    rate = report.sent / seconds if seconds else 0.0
    results.add("mail send to a local SMTP sink", engine, size,
                f"{rate:.0f} emails/s ({report.sent:,} of {queued:,} queued)", ">= 100 emails/s",
                rate >= 100)


def agencies_import(database: Database, engine: str, size: int, results: Any) -> None:
    from portal.services.register import import_agencies

    rows = max(1_000, size // 5)
    csv_text = "name,sector,email,contact_name,cohort\n" + "".join(
        f"Imported agency {n:06d},Voluntary and community,lead{n}@imported.example.org,Lead {n},"
        f"{'AB'[n % 2]}\n" for n in range(rows))
    started = time.perf_counter()
    with database.transaction() as session:
        import_agencies(session, csv_text)
    seconds = time.perf_counter() - started
    results.add("agencies import", engine, size, f"{rows / seconds:,.0f} rows/s ({rows:,} rows)",
                ">= 2,000 rows/s at 10k", rows / seconds >= 2000 if size >= 10_000 else None)


def returns_of(database: Database, cycle_label: str) -> list[int]:
    from portal.models import Cycle

    with database.sessionmaker() as session:
        return list(session.scalars(select(Return.id).join(Cycle).where(Cycle.label == cycle_label)))
