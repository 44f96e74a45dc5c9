"""Running the app's own `flask` command in a subprocess: where it runs, and its environment."""

from __future__ import annotations

import os
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
