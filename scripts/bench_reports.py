"""Time the MESC report on the demo partnership: load the demo into a temporary SQLite database,
then compute and render the report (PDF, JSON, CSV, XLSX) for every demo cycle. With
`--agencies N`, also build one cycle of N agencies (three in four submitted, every question
answered) and time its report beside one raw GROUP BY over its answers. Prints figures;
asserts nothing.

    .venv/bin/python scripts/bench_reports.py [--repeat N] [--agencies 10000]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from portal import migrate
from portal.db import Database
from portal.models import Agency, Answer, Cycle, Question, Return, Sector
from portal.reports.sector_exports import render_csv, render_json, render_xlsx
from portal.reports.sector_pdf import render_sector_report
from portal.services import cycles
from portal.services.demo import load_demo
from portal.services.reporting import sector_report

GRADES = ["outstanding", "good", "good", "good", "requires_improvement", "inadequate",
          "not_applicable", None]


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def _time_cycle(session: Session, label: str, repeat: int, queries: list[int]) -> str:
    queries[0] = 0
    data_s, report = best_of(repeat, partial(sector_report, session, cycle_label=label))
    per_run = queries[0] // repeat
    pdf_s, pdf = best_of(repeat, partial(render_sector_report, report))
    json_s, _ = best_of(repeat, partial(render_json, report))
    csv_s, _ = best_of(repeat, partial(render_csv, report))
    xlsx_s, _ = best_of(repeat, partial(render_xlsx, report))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return (f"{label:<9}{per_run:>8}{data_s:>9.3f}{pdf_s:>8.3f}{pages:>7}{len(pdf) / 1024:>8.0f}"
            f"{json_s:>8.3f}{csv_s:>8.3f}{xlsx_s:>8.3f}")


def build_large_cycle(session: Session, agencies: int) -> str:
    """One cycle of `agencies` agencies on the full tool, three in four submitted."""
    rng = random.Random(agencies)
    sectors = list(session.scalars(select(Sector)))
    session.execute(insert(Agency), [
        {"name": f"Scale agency {n:05d}", "sector_id": rng.choice(sectors).id, "cohort": "A",
         "variant": "full", "active": True} for n in range(agencies)])
    when = datetime(2030, 4, 3, 9)
    cycle = cycles.create_cycle(session, label="2030-31", cohort="A",
                                deadline=datetime(2030, 6, 28).date(), now=when)
    cycles.open_cycle(session, cycle, now=when, links=None)
    questions = list(session.scalars(select(Question.id).where(
        Question.tool_version_id == cycle.tool_version_id, Question.in_full.is_(True))))
    returned = [r for r in session.scalars(select(Return.id).where(Return.cycle_id == cycle.id,
                Return.agency_id.in_(select(Agency.id).where(Agency.name.like("Scale %")))))
                if rng.random() < 0.75]
    session.execute(Return.__table__.update().where(Return.id.in_(returned)),
                    {"status": "submitted"})
    session.execute(insert(Answer), [
        {"return_id": r, "question_id": q, "grade": rng.choice(GRADES)}
        for r in returned for q in questions])
    return cycle.label


def raw_group_by(session: Session) -> float:
    started = time.perf_counter()
    session.execute(select(Answer.question_id, Answer.grade, func.count()).group_by(
        Answer.question_id, Answer.grade)).all()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--agencies", type=int, default=0,
                        help="also time one cycle of this many agencies (e.g. 10000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        database = Database(url)
        started = time.perf_counter()
        with database.transaction() as session:
            summary = load_demo(session, now=datetime(2027, 1, 4, 9))
        print(f"Demo loaded in {time.perf_counter() - started:.2f} s: {summary.agencies} agencies, "
              f"{summary.returns} returns")
        large = None
        if args.agencies:
            with database.transaction() as session:
                large = build_large_cycle(session, args.agencies)
        queries = [0]
        event.listen(database.engine, "before_cursor_execute",
                     lambda *_: queries.__setitem__(0, queries[0] + 1))
        with database.sessionmaker() as session:
            answers = len(session.scalars(select(Answer.id)).all())
            labels = list(session.scalars(select(Cycle.label).order_by(Cycle.deadline)))
            print(f"{answers} answers in the database\n")
            print(f"{'cycle':<9}{'queries':>8}{'data s':>9}{'pdf s':>8}{'pages':>7}{'pdf KB':>8}"
                  f"{'json s':>8}{'csv s':>8}{'xlsx s':>8}")
            for label in labels:
                print(_time_cycle(session, label, args.repeat, queries))
            if large:
                print(f"\n{large} is {args.agencies:,} more agencies; one raw GROUP BY over "
                      f"every answer takes {raw_group_by(session):.3f} s")
        database.engine.dispose()


if __name__ == "__main__":
    main()
