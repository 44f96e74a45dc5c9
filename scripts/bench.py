"""The portal at national scale: build 1,000- and 10,000-agency partnerships on SQLite and
PostgreSQL and print, side by side, the figures and budgets of docs/benchmarks.md. Prints figures;
asserts nothing (a budget that does not hold is printed as MISSED).

    .venv/bin/python scripts/bench.py [--sizes 1000,10000] [--engines sqlite,postgresql]
                                      [--quick] [--write docs/benchmarks.md]

PostgreSQL comes from BENCH_POSTGRES_URL or TEST_POSTGRES_URL (scripts/postgres.sh starts one);
HTTP figures need Debian's wrk and gunicorn; the mail figure starts an SMTP sink on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_parts import closing, jobs, pages, reports  # noqa: E402
from bench_parts import http_load as http_part  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from portal import migrate  # noqa: E402
from portal.db import Database  # noqa: E402

CYCLES = 6
NOW = datetime(2026, 11, 1, 9)


@dataclass
class Row:
    """One figure of the results table."""

    measure: str
    engine: str
    size: int
    value: str
    budget: str = ""
    holds: bool | None = None


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)

    def add(self, measure: str, engine: str, size: int, value: str, budget: str = "",
            holds: bool | None = None) -> None:
        row = Row(measure, engine, size, value, budget, holds)
        self.rows.append(row)
        verdict = "" if holds is None else ("  [holds]" if holds else "  [MISSED]")
        print(f"  {engine:<10} {size:>6}  {measure:<46} {value:<30} {budget}{verdict}", flush=True)


class QueryCounter:
    """Counts statements sent on an engine."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        before, out = self.count, [0]
        yield out
        out[0] = self.count - before


def median_time(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


@contextmanager
def scratch_database(engine: str, tag: str) -> Iterator[str]:
    """A new empty database URL for one run: a SQLite file or a PostgreSQL database."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / f'{tag}.sqlite3'}"
        return
    server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not server:
        raise SystemExit("PostgreSQL: set BENCH_POSTGRES_URL or TEST_POSTGRES_URL "
                         "(scripts/postgres.sh prints one)")
    from sqlalchemy import create_engine

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"bench_{tag}_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build(url: str, agencies: int, cycles: int, seed: int = 1) -> tuple[Database, float]:
    from portal.services.demo import generate_partnership

    migrate.upgrade(url)
    database = Database(url)
    started = time.perf_counter()
    with database.transaction() as session:
        generate_partnership(session, agencies=agencies, cycles=cycles, seed=seed, now=NOW)
    elapsed = time.perf_counter() - started
    if url.startswith("postgresql"):
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return database, elapsed


def run_size(engine: str, size: int, args: argparse.Namespace, results: Results) -> None:
    print(f"\n== {engine}, {size:,} agencies x {CYCLES} cycles", flush=True)
    with scratch_database(engine, f"s{size}") as url:
        database, built = build(url, size, CYCLES)
        results.add("build (demo generate, in process)", engine, size, f"{built:.1f} s")
        counter = QueryCounter(database.engine)
        reports.measure(database, url, engine, size, results, counter, repeat=args.repeat)
        jobs.measure(database, url, engine, size, results, counter, now=NOW)
        pages.measure(database, url, engine, size, results, counter, repeat=args.repeat * 4)
        if not args.quick:
            http_part.measure(url, engine, size, results)
        closing.measure(database, url, engine, size, results)  # last: it closes the open cycle
        database.engine.dispose()


def run_history(engine: str, args: argparse.Namespace, results: Results) -> None:
    """The report's cost must not grow with the number of past cycles in the database.

    Cohorts alternate, so with 2 cycles the latest has no earlier cycle of its cohort and its
    report makes one pass instead of two (no changes to compare): the like-for-like comparison
    is 3 cycles (the first with a previous cycle) against 12. Both are printed."""
    size = min(int(s) for s in args.sizes.split(","))
    figures = {}
    for cycles in (2, 3, 12):
        with scratch_database(engine, f"h{cycles}") as url:
            database, _ = build(url, size, cycles)
            figures[cycles] = reports.report_data_seconds(database, repeat=args.repeat)
            database.engine.dispose()
    for fewer in (3, 2):
        ratio = figures[12] / figures[fewer]
        like = " (both compare with a previous cycle)" if fewer == 3 else \
            " (2: no previous cycle of the cohort, one pass fewer)"
        results.add(f"report data, {fewer} cycles vs 12 in the database{like}", engine, size,
                    f"{figures[fewer] * 1000:.0f} ms vs {figures[12] * 1000:.0f} ms (x{ratio:.2f})",
                    "independent of history (<= x1.3)" if fewer == 3 else "",
                    ratio <= 1.3 if fewer == 3 else None)


def cli_start(results: Results) -> None:
    env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": "sqlite:////tmp/bench-cli.sqlite3"}
    times = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([str(ROOT / ".venv/bin/flask"), "--help"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - started)
    best = statistics.median(times)
    results.add("CLI start (flask --help, median of 5)", "-", 0, f"{best:.2f} s", "< 1 s", best < 1)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def write_markdown(path: Path, results: Results, args: argparse.Namespace) -> None:
    lines = [
        "# Benchmarks", "",
        f"Written by `scripts/bench.py` (`make bench`) on {date.today():%-d %B %Y}.", "",
        f"Machine: {machine()}.", "",
        f"Data: `flask demo generate --agencies N --cycles {CYCLES}`; sizes {args.sizes}; "
        f"medians of {args.repeat} runs. PostgreSQL 15 (the test server: fsync off), SQLite in WAL "
        "mode. Figures are measurements, not pass/fail tests; a budget that does not hold says "
        "MISSED.", "",
        "| measure | engine | agencies | value | budget | holds |",
        "|---|---|---|---|---|---|",
    ]
    for r in results.rows:
        holds = "" if r.holds is None else ("yes" if r.holds else "**MISSED**")
        lines.append(f"| {r.measure} | {r.engine} | {r.size or ''} | {r.value} | {r.budget} | {holds} |")
    notes = ROOT / "docs" / "benchmarks-notes.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    path.write_text("\n".join(lines) + "\n")
    print(f"\nWrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the HTTP figures")
    parser.add_argument("--write", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    results = Results()
    cli_start(results)
    for engine in args.engines.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            run_size(engine, size, args, results)
        run_history(engine, args, results)
    if args.write:
        write_markdown(Path(args.write), results, args)


if __name__ == "__main__":
    main()
