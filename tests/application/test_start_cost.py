"""What starting the app loads: `flask --help`, every command and every gunicorn worker start
with it, so libraries only some pages need are imported on first use (make bench measures the
start itself: "CLI start")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ON_FIRST_USE = ("webauthn", "authlib", "requests")


def _modules_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120)
    return {name.split(".")[0] for name in json.loads(out.stdout.splitlines()[-1])}


def test_the_app_starts_without_the_passkey_and_single_sign_on_libraries() -> None:
    loaded = _modules_after("from portal import create_app\ncreate_app()")
    assert "flask" in loaded and "sqlalchemy" in loaded  # the check sees what was imported
    assert loaded.isdisjoint(ON_FIRST_USE), loaded & set(ON_FIRST_USE)


def test_a_passkey_ceremony_and_a_sign_on_client_load_them_when_used() -> None:
    loaded = _modules_after("from portal import create_app\ncreate_app()\n"
                            "from portal.services import passkeys\npasskeys.verify_passkey\n"
                            "import portal.views.sso_client")
    assert {"webauthn", "authlib", "requests"} <= loaded
