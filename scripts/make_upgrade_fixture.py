"""Write the upgrade test's starting database: the demo, its story told, made by this checkout's
own `flask` commands, dumped with the MESC report of every cycle as JSON.

    PYTHONPATH=. .venv/bin/python scripts/make_upgrade_fixture.py

Run it on the commit before a migration that moves data, and commit the file it writes
(tests/fixtures/upgrade/demo-<revision>.json.gz): tests/commands/test_upgrade_keeps_data.py
loads it at that revision on both engines, upgrades to the head and compares."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.support import database_dump

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "upgrade"
NOW = "2026-12-03T09:00"


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite:///{Path(work) / 'portal.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "development",
               "FLASK_APP": str(ROOT / "app.py")}
        flask(env, "db", "upgrade")
        flask(env, "demo", "load", "--now", NOW)
        engine = create_engine(url)
        with engine.connect() as conn:
            revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
            labels = list(conn.scalars(text("SELECT label FROM cycles WHERE status != 'draft' "
                                            "ORDER BY label")))
            rows = database_dump.read_tables(conn)
        engine.dispose()
        reports = {label: report(env, work, label) for label in labels}
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / f"demo-{revision}.json.gz"
    content = {"revision": revision, "now": NOW, "reports": reports,
               "rows": json.loads(database_dump.encode(rows))}
    target.write_bytes(gzip.compress(json.dumps(content, sort_keys=True).encode(), mtime=0))
    print(f"Wrote {target.relative_to(ROOT)}: revision {revision}, "
          f"{sum(len(r) for r in rows.values()):,} rows, {len(reports)} reports")


def report(env: dict[str, str], work: str, label: str) -> str:
    out = Path(work) / f"{label}.json"
    flask(env, "reports", "sector", "--cycle", label, "--format", "json", "--out", str(out),
          "--now", NOW)
    return out.read_text()


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", *args], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
