"""Report figures: report data beside the raw aggregation, the dashboard, each format end to end."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bench_parts.people import add_person
from bench_parts.second_factor import pass_gate
from portal.db import Database
from portal.models import Cycle, Role, User

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "benchmark-password-1"
FORMATS = ("json", "csv", "xlsx", "pdf")

# The same figures as the report's standards, grid and questions tables, written by hand (and
# again for the previous cycle of the cohort, as the report compares with it): the lower bound the
# report data is measured against. Like the report, it counts the (return, question) pairs and the
# cycle's answers by grade in two aggregates; a LEFT JOIN of every pair to its answer let
# PostgreSQL choose a merge join that compared each return's answers with each of its questions.
RAW = text("""
SELECT p.sector_id, p.question_id, p.pairs,
       COALESCE(a.graded, 0), COALESCE(a.weak, 0), COALESCE(a.na, 0)
FROM (SELECT ag.sector_id, q.id AS question_id, COUNT(*) AS pairs
      FROM returns r
      JOIN agencies ag ON ag.id = r.agency_id
      JOIN cycles c ON c.id = r.cycle_id
      JOIN questions q ON q.tool_version_id = c.tool_version_id
       AND ((r.variant = 'full' AND q.in_full) OR (r.variant = 'schools' AND q.in_schools)
            OR (r.variant = 'short' AND q.in_short))
      WHERE r.cycle_id = :cycle AND r.status = 'submitted'
      GROUP BY ag.sector_id, q.id) p
LEFT JOIN (SELECT ag.sector_id, a.question_id,
                  SUM(CASE WHEN a.grade IN ('outstanding','good','requires_improvement',
                                            'inadequate') THEN 1 ELSE 0 END) AS graded,
                  SUM(CASE WHEN a.grade IN ('requires_improvement','inadequate')
                           THEN 1 ELSE 0 END) AS weak,
                  SUM(CASE WHEN a.grade = 'not_applicable' THEN 1 ELSE 0 END) AS na
           FROM answers a
           JOIN returns r ON r.id = a.return_id
           JOIN agencies ag ON ag.id = r.agency_id
           WHERE r.cycle_id = :cycle AND r.status = 'submitted'
           GROUP BY ag.sector_id, a.question_id) a
  ON a.sector_id = p.sector_id AND a.question_id = p.question_id
""")
RETURNS = text("""
SELECT ag.sector_id, COUNT(*), SUM(CASE WHEN r.status = 'submitted' THEN 1 ELSE 0 END)
FROM returns r JOIN agencies ag ON ag.id = r.agency_id WHERE r.cycle_id = :cycle
GROUP BY ag.sector_id
""")


def latest_two(session: Session) -> tuple[Cycle, Cycle | None]:
    cycles = list(session.scalars(select(Cycle).order_by(Cycle.id.desc())))
    previous = next((c for c in cycles[1:] if c.cohort == cycles[0].cohort), None)
    return cycles[0], previous


def raw_aggregation(session: Session) -> int:
    latest, previous = latest_two(session)
    rows = 0
    for cycle in (latest, previous):
        if cycle is not None:
            rows += len(session.execute(RAW, {"cycle": cycle.id}).all())
            rows += len(session.execute(RETURNS, {"cycle": cycle.id}).all())
    return rows


def report_data_seconds(database: Database, repeat: int) -> float:
    from bench import median_time  # type: ignore[import-not-found]

    from portal.services.reporting import sector_report

    with database.sessionmaker() as session:
        label = latest_two(session)[0].label
        sector_report(session, cycle_label=label)  # warm caches
        seconds, _ = median_time(lambda: sector_report(session, cycle_label=label), repeat)
    return seconds


def measure(database: Database, url: str, engine: str, size: int, results: Any, counter: Any, *,
            repeat: int) -> None:
    from bench import median_time  # type: ignore[import-not-found]

    from portal.services.reporting import sector_report

    with database.sessionmaker() as session:
        label = latest_two(session)[0].label
        raw_aggregation(session)
        raw_s, _ = median_time(lambda: raw_aggregation(session), repeat)
        sector_report(session, cycle_label=label)
        with counter.counting() as queries:
            data_s, _ = median_time(lambda: sector_report(session, cycle_label=label), repeat)
    ratio = data_s / raw_s
    results.add("report data vs raw aggregation", engine, size,
                f"{data_s * 1000:.0f} ms vs {raw_s * 1000:.0f} ms (x{ratio:.1f})",
                "<= x2 at 10k on PostgreSQL" if engine == "postgresql" else "",
                ratio <= 2 if engine == "postgresql" and size >= 10_000 else None)
    results.add("report data queries", engine, size, f"{queries[0] // repeat}")
    dashboard(database, url, engine, size, results, counter, repeat)
    start = process_start(url)
    for fmt in FORMATS:
        seconds, rss = end_to_end(url, label, fmt)
        pdf = fmt == "pdf"
        results.add(f"flask reports sector --format {fmt}", engine, size,
                    f"{seconds:.2f} s end to end, {seconds - start:.2f} s after the process "
                    f"started ({start:.2f} s), peak RSS {rss:.0f} MB",
                    "PDF < 2 s after process start" if pdf else "",
                    seconds - start < 2 if pdf and size >= 10_000 else None)


def dashboard(database: Database, url: str, engine: str, size: int, results: Any, counter: Any,
              repeat: int) -> None:
    from bench import median_time  # type: ignore[import-not-found]

    from portal import create_app
    from portal.services.accounts import hash_password

    with database.transaction() as session:
        if session.scalar(select(User.id).where(User.email == "bench-manager@example.org")) is None:
            add_person(session, "bench-manager@example.org", Role.MANAGER.value,
                       name="Bench Manager", password_hash=hash_password(PASSWORD))
        cycle_id = latest_two(session)[0].id
    app = create_app("testing", DATABASE_URL=url, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.post("/sign-in", data={"email": "bench-manager@example.org", "password": PASSWORD})
    pass_gate(client)
    assert client.get(f"/cycles/{cycle_id}").status_code == 200
    from portal.db import get_db

    page_counter = type(counter)(get_db(app).engine)
    with page_counter.counting() as queries:
        seconds, _ = median_time(lambda: client.get(f"/cycles/{cycle_id}"), repeat)
    results.add("cycle dashboard page (median, queries)", engine, size,
                f"{seconds * 1000:.0f} ms, {queries[0] // repeat} queries")
    get_db(app).engine.dispose()


def process_start(url: str) -> float:
    """Median wall time of `flask reports sector --help`: the process, the app, no work."""
    env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": url}
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([str(ROOT / ".venv/bin/flask"), "reports", "sector", "--help"], cwd=ROOT,
                       env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return sorted(times)[1]


def end_to_end(url: str, label: str, fmt: str) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of `flask reports sector` as its own process."""
    out = Path(f"/tmp/bench-report-{os.getpid()}.{fmt}")
    env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": url}
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/flask"), "reports", "sector", "--cycle", label, "--format", fmt,
         "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"flask reports sector --format {fmt} failed: "
                         f"{process.stderr.read().decode() if process.stderr else ''}")
    out.unlink(missing_ok=True)
    return seconds, usage.ru_maxrss / 1024
