"""Running the app's own `flask` command in a subprocess: where it runs, and its environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The checkout: the working directory of `flask --app app` and gunicorn."""
FLASK = str(Path(sys.executable).parent / "flask")


def flask_env(url: str, smtp_port: int) -> dict[str, str]:
    """The environment of a `flask` subprocess on this database and SMTP port."""
    return {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "testing",
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
            "SECRET_KEY": "concurrency-test-secret-key-long-enough",
            "PORTAL_BASE_URL": "http://portal.test"}


class OwnPostgres:
    """A PostgreSQL server of a test's own (scripts/postgres.sh on a free port, in `folder`), so
    that the test can stop and restart it without touching the shared one."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def start(self) -> None:
        env = {**os.environ, "PGPORT": str(self.port), "PGDATA_DIR": str(self.folder)}
        subprocess.run([str(ROOT / "scripts" / "postgres.sh")], env=env, check=True,
                       capture_output=True)

    def stop(self) -> None:
        """As a restart does: every connection is cut."""
        command = f"{_pg_bin()}/pg_ctl -D {self.folder} -m fast -w stop"
        as_postgres = ["su", "postgres", "-s", "/bin/sh", "-c", command]
        subprocess.run(as_postgres if os.getuid() == 0 else ["sh", "-c", command], check=True,
                       capture_output=True)


def _pg_bin() -> str:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return str(found[-1])
