"""The pages people wait on, alone and small: builds one demo partnership and prints CPU per
request and statements per view (scripts/bench_parts/pages.py; `make bench` prints the same rows
for each size and engine).

    .venv/bin/python scripts/bench_pages.py [--agencies 1000] [--engine sqlite] [--repeat 20]
                                            [--keep NAME] [--profile PAGE]

--keep NAME (PostgreSQL) builds the partnership into the database NAME and keeps it; a later run
with the same NAME reuses it (a 10,000-agency build takes minutes). Drop it with
`DROP DATABASE NAME` when done. --profile PAGE prints cProfile's top functions for the pages
whose name contains PAGE. --http then runs the HTTP rows (gunicorn, wrk). --closing then
closes the open cycle while agencies save (a kept database is left with that cycle closed).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import CYCLES, NOW, QueryCounter, Results, build, scratch_database
from bench_parts import closing, http_load, jobs, pages
from sqlalchemy import create_engine, text

from portal.db import Database


@contextmanager
def kept_database(name: str) -> Iterator[tuple[str, bool]]:
    """The URL of the PostgreSQL database `name`, and whether it already existed."""
    server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not server:
        raise SystemExit("--keep needs BENCH_POSTGRES_URL or TEST_POSTGRES_URL")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not found:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield server.rsplit("/", 1)[0] + f"/{name}", bool(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--engine", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", help="a PostgreSQL database to build into and reuse")
    parser.add_argument("--profile", help="profile the pages whose name contains this")
    parser.add_argument("--closing", action="store_true", help="then close the open cycle")
    parser.add_argument("--http", action="store_true",
                        help="then the HTTP rows: gunicorn under wrk, against the sign-in page")
    args = parser.parse_args()
    if args.keep:
        args.engine = "postgresql"
    place = kept_database(args.keep) if args.keep else \
        _fresh(scratch_database(args.engine, f"p{args.agencies}"))
    with place as (url, reused):
        results = Results()
        if reused:
            database = Database(url)
            print(f"reusing the database {args.keep}")
        else:
            database, built = build(url, args.agencies, CYCLES)
            print(f"built {args.agencies:,} agencies x {CYCLES} cycles in {built:.1f} s")
        counter = QueryCounter(database.engine)
        if not reused:
            jobs.open_cycle(database, args.engine, args.agencies, results, counter, NOW)
        pages.measure(database, url, args.engine, args.agencies, results, counter,
                      repeat=args.repeat, profile=args.profile)
        if args.http:
            http_load.measure(url, args.engine, args.agencies, results)
        if args.closing:
            closing.measure(database, url, args.engine, args.agencies, results)
        database.engine.dispose()


@contextmanager
def _fresh(scratch: object) -> Iterator[tuple[str, bool]]:
    with scratch as url:  # type: ignore[attr-defined]
        yield url, False


if __name__ == "__main__":
    main()
