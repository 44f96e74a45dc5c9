#!/usr/bin/env bash
# Set up everything and run the whole suite: lint, types, the installed wheel, tests on SQLite (with the browser
# tests) and again on PostgreSQL. Extra arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export TEST_POSTGRES_URL
TEST_POSTGRES_URL=$(scripts/postgres.sh)

echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== import contracts"; .venv/bin/lint-imports --no-cache
echo "== bandit"; .venv/bin/bandit -q -c pyproject.toml -r portal config forms app.py gunicorn.conf.py
echo "== package"; scripts/package_check.sh

status=0
echo "== pytest on SQLite"
TEST_DB=sqlite .venv/bin/python -m pytest -p no:cacheprovider "$@" || status=$?
echo "== pytest on PostgreSQL"
TEST_DB=postgresql .venv/bin/python -m pytest -p no:cacheprovider -m "not browser and not sqlite_pass_only" "$@" || status=$?
# pytest exits 5 when it collected no tests: that is a failure too.
exit $status
