#!/usr/bin/env bash
# make smoke: the production shape end to end over HTTPS (scripts/smoke.py says what it does).
# As root on Debian it installs what is missing: nginx, redis-server, chromium, the PostgreSQL
# client and server; the project's .venv comes from scripts/setup.sh --test.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || scripts/setup.sh --test
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v redis-server >/dev/null || need+=(redis-server)
command -v psql >/dev/null || need+=(postgresql-client)
[ -x /usr/bin/chromium ] || need+=(chromium)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
TEST_POSTGRES_URL=$(scripts/postgres.sh)
export TEST_POSTGRES_URL
exec .venv/bin/python scripts/smoke.py
