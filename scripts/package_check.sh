#!/usr/bin/env bash
# Build the wheel, install it in a fresh virtualenv away from the checkout, and run the portal from
# it as production would: migrate, load the demo, serve with gunicorn and fetch the sign-in page and
# its stylesheet. A wheel that lacks code, templates, migrations or assets fails here.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "package check: $*" >&2; [ -f "$WORK/server.log" ] && tail -n 30 "$WORK/server.log" >&2; exit 1; }

echo "== build the wheel (from the checkout's files, not its build/ leftovers)"
mkdir "$WORK/src"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | tar -c --null -T -) | tar -x -C "$WORK/src"
mkdir -p "$WORK/src/node_modules/govuk-frontend"
cp -R "$ROOT/node_modules/govuk-frontend/dist" "$WORK/src/node_modules/govuk-frontend/"
"$ROOT/.venv/bin/pip" wheel --no-deps -q -w "$WORK/dist" "$WORK/src" >"$WORK/pip.log" 2>&1 \
  || { cat "$WORK/pip.log"; fail "the wheel did not build"; }
WHEEL=$(echo "$WORK"/dist/*.whl)

echo "== what the wheel holds"
"$ROOT/.venv/bin/python" - "$WHEEL" "$WORK/src" <<'EOF'
import sys
import zipfile
from pathlib import Path

names = set(zipfile.ZipFile(sys.argv[1]).namelist())
src = Path(sys.argv[2])
wanted = {str(p.relative_to(src)) for top in ("portal", "forms", "config") for p in (src / top).rglob("*.py")}
wanted |= {f"portal/_bundled/templates/{p.relative_to(src / 'templates')}"
           for p in (src / "templates").rglob("*") if p.is_file()}
wanted |= {f"portal/_bundled/migrations/{p.relative_to(src / 'migrations')}"
           for p in (src / "migrations").rglob("*") if p.is_file()}
wanted |= {"portal/_bundled/govuk/govuk-frontend.min.css", "portal/_bundled/govuk/govuk-frontend.min.js",
           "portal/_bundled/govuk/assets/fonts/bold-b542beb274-v2.woff2", "portal/static/portal.css",
           "portal/tools/compact-audit-2026.2.json", "portal/services/accounts/common_passwords.txt.gz"}
missing = sorted(wanted - names)
print(f"{len(names)} files in {Path(sys.argv[1]).name}")
if missing:
    sys.exit("missing from the wheel:\n  " + "\n  ".join(missing))
EOF

echo "== install it in a fresh virtualenv"
"$ROOT/.venv/bin/python" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "$WHEEL" >"$WORK/pip.log" 2>&1 || { cat "$WORK/pip.log"; fail "pip install failed"; }

echo "== run it as production, outside the checkout"
mkdir "$WORK/run"
cd "$WORK/run"
unset PYTHONPATH FLASK_APP
export PORTAL_ENV=production
SECRET_KEY=$("$WORK/venv/bin/python" -c "import secrets; print(secrets.token_urlsafe(48))")
export SECRET_KEY
export DATABASE_URL="sqlite:///$WORK/run/portal.sqlite3"
export RATELIMIT_SINGLE_PROCESS=true  # one single-worker gunicorn: memory:// counts correctly
export FORCE_HTTPS=false              # plain HTTP on 127.0.0.1; production sits behind TLS
PY="$WORK/venv/bin/python"
where=$("$PY" -c "import portal; print(portal.__file__)")
case "$where" in "$WORK/venv/"*) ;; *) fail "portal was imported from $where, not the installed wheel";; esac
"$WORK/venv/bin/flask" --app portal.wsgi db upgrade
"$WORK/venv/bin/flask" --app portal.wsgi demo load

# --preload builds the app before binding, so an app that cannot start never reports a port
"$WORK/venv/bin/gunicorn" --preload --bind 127.0.0.1:0 --workers 1 --error-logfile "$WORK/server.log" \
  portal.wsgi:app &
SERVER=$!
"$PY" - "$WORK/server.log" "$SERVER" <<'EOF' || fail "the portal served from the wheel failed the check"
"""Wait for gunicorn to say where it listens, then check the sign-in page and its stylesheet."""
import os
import re
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

log, server = Path(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + 60


def listening() -> str | None:
    found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log.read_text() if log.exists() else "")
    return found.group(1) if found else None


while (base := listening()) is None:
    try:
        os.kill(server, 0)
    except ProcessLookupError:
        sys.exit("gunicorn exited before it listened")
    if time.monotonic() > deadline:
        sys.exit("gunicorn did not start listening within 60 seconds")
    time.sleep(0.1)


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stylesheets: list[str] = []
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheets.append(found["href"] or "")
        self._in_h1 = tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data.strip()


def fetch(path: str) -> bytes:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310 (our server)
            assert response.status == 200, f"{path}: {response.status}"
            return response.read()
    except OSError as exc:
        sys.exit(f"{path}: {exc}")


page = Page()
page.feed(fetch("/sign-in").decode())
assert page.h1 == "Sign in to the Compact Audit", f"the sign-in heading is {page.h1!r}"
govuk = [href for href in page.stylesheets if href.endswith("/govuk-frontend.min.css")]
assert govuk, f"no GOV.UK Frontend stylesheet among {page.stylesheets}"
for href in [*page.stylesheets, "/assets/fonts/bold-b542beb274-v2.woff2", "/assets/govuk-frontend.min.js"]:
    assert fetch(href), f"{href} is empty"
print(f"{base}/sign-in is the GOV.UK sign-in page; its stylesheets, a font and the script serve 200")
EOF
kill "$SERVER"
wait "$SERVER" || true
SERVER=""
echo "== package check passed"
