"""The pages people wait on, alone and small: builds one demo partnership and prints CPU per
request and statements per view (scripts/bench_parts/pages.py; `make bench` prints the same rows
for each size and engine).

    .venv/bin/python scripts/bench_pages.py [--agencies 1000] [--engine sqlite] [--repeat 20]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import CYCLES, NOW, QueryCounter, Results, build, scratch_database
from bench_parts import jobs, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--engine", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with scratch_database(args.engine, f"p{args.agencies}") as url:
        database, built = build(url, args.agencies, CYCLES)
        print(f"built {args.agencies:,} agencies x {CYCLES} cycles in {built:.1f} s")
        results, counter = Results(), QueryCounter(database.engine)
        jobs.open_cycle(database, args.engine, args.agencies, results, counter, NOW)
        pages.measure(database, url, args.engine, args.agencies, results, counter,
                      repeat=args.repeat)
        database.engine.dispose()


if __name__ == "__main__":
    main()
