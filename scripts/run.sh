#!/usr/bin/env bash
# Set up, create the database with demo data (first time only) and serve on http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export FLASK_APP=app
.venv/bin/flask db upgrade
if .venv/bin/flask demo load 2>/tmp/portal-demo.err; then :; else
  grep -q "already has agencies" /tmp/portal-demo.err && echo "Demo data already loaded" || { cat /tmp/portal-demo.err; exit 1; }
fi
echo "Serving the Compact Audit Portal on http://127.0.0.1:5000 (demo password: compact-audit-demo)"
exec .venv/bin/flask run --host 127.0.0.1 --port 5000
