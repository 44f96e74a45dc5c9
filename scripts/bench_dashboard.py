"""Time the cycle dashboard page as the register grows: for each size, build a cycle with that
many agencies (a mix of statuses and sectors) in a scratch SQLite database, then request the
dashboard through the app as the manager. Prints queries and milliseconds; asserts nothing.

    .venv/bin/python scripts/bench_dashboard.py [--sizes 100,1000,5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_parts.people import add_person
from bench_parts.second_factor import pass_gate
from sqlalchemy import event, insert, select

from portal import create_app, migrate
from portal.db import get_db
from portal.models import Agency, Contact, Return, Role, Sector
from portal.services import cycles, tools
from portal.services.accounts import hash_password

STATUSES = ["not_started", "in_progress", "submitted", "submitted", "reopened"]
PASSWORD = "benchmark-password"


def arrange(app, size: int) -> int:  # type: ignore[no-untyped-def]
    rng = random.Random(size)
    with get_db(app).transaction() as session:
        tools.load_tool(session)
        sectors = list(session.scalars(select(Sector)))
        session.execute(insert(Agency), [
            {"name": f"Agency {n:05d}", "sector_id": rng.choice(sectors).id, "cohort": "A",
             "variant": "full", "active": True} for n in range(size)])
        ids = list(session.scalars(select(Agency.id)))
        session.execute(insert(Contact), [
            {"agency_id": i, "name": "Lead", "email": f"lead{i}@example.org", "is_primary": True}
            for i in ids])
        add_person(session, "manager@example.org", Role.MANAGER.value,
                   password_hash=hash_password(PASSWORD))
        cycle = cycles.create_cycle(session, label="2018-19", cohort="A",
                                    deadline=date(2018, 6, 29), now=datetime(2018, 4, 3, 9))
        cycles.open_cycle(session, cycle, now=datetime(2018, 4, 3, 9), links=None)
        for return_ in session.scalars(select(Return)):
            return_.status = rng.choice(STATUSES)
        return cycle.id


def measure(size: int, repeat: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        app = create_app("testing", DATABASE_URL=url, WTF_CSRF_ENABLED=False)
        cycle_id = arrange(app, size)
        client = app.test_client()
        client.post("/sign-in", data={"email": "manager@example.org", "password": PASSWORD})
        pass_gate(client)
        statements = [0]
        engine = get_db(app).engine
        event.listen(engine, "before_cursor_execute", lambda *a: statements.__setitem__(
            0, statements[0] + 1))
        client.get(f"/cycles/{cycle_id}")  # warm up
        best = float("inf")
        for _ in range(repeat):
            statements[0] = 0
            started = time.perf_counter()
            response = client.get(f"/cycles/{cycle_id}")
            best = min(best, time.perf_counter() - started)
            assert response.status_code == 200
        return f"{size:>8} {statements[0]:>8} {best * 1000:>10.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'agencies':>8} {'queries':>8} {'best ms':>10}")
    for size in (int(s) for s in args.sizes.split(",")):
        print(measure(size, args.repeat), flush=True)


if __name__ == "__main__":
    main()
