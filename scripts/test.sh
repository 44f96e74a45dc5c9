#!/usr/bin/env bash
# Set up everything and run the whole suite: lint, types, the installed wheel, tests on SQLite
# (with the browser tests) and again on PostgreSQL, each printing its 15 slowest tests; then the
# branch coverage of both runs combined, failing below COVERAGE_FLOOR. Extra arguments go to both
# pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# The combined (SQLite + PostgreSQL) branch coverage of portal, forms and config must not fall
# below this: today's figure rounded down. Raise it when coverage rises (docs/testing.md).
# Measured on 2 December 2026 (e318d6f) on SQLite alone, without the browser tests or a
# PostgreSQL server: 94.37% (portal/services 93.49%). The full combined run covers a superset,
# so its figure is at least that; TODO(lead): raise the floor to it rounded down at merge.
COVERAGE_FLOOR=94
scripts/setup.sh --test
export TEST_POSTGRES_URL
TEST_POSTGRES_URL=$(scripts/postgres.sh)

echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== import contracts"; .venv/bin/lint-imports --no-cache
echo "== bandit"; .venv/bin/bandit -q -c pyproject.toml -r portal config forms app.py gunicorn.conf.py
echo "== package"; scripts/package_check.sh

status=0
rm -f .coverage .coverage.*
coverage_args=(--cov=portal --cov=forms --cov=config --cov-branch --cov-report= --durations=15)
echo "== pytest on SQLite"
COVERAGE_FILE=.coverage.sqlite TEST_DB=sqlite .venv/bin/python -m pytest -p no:cacheprovider \
  "${coverage_args[@]}" "$@" || status=$?
echo "== pytest on PostgreSQL"
COVERAGE_FILE=.coverage.postgresql TEST_DB=postgresql .venv/bin/python -m pytest -p no:cacheprovider \
  -m "not browser and not sqlite_pass_only" "${coverage_args[@]}" "$@" || status=$?
# pytest exits 5 when it collected no tests: that is a failure too.

echo "== coverage, both engines combined (branch)"
.venv/bin/coverage combine -q .coverage.sqlite .coverage.postgresql || status=$?
echo "portal/services: $(.venv/bin/coverage report --include='portal/services/*' --format=total)%"
echo "total:           $(.venv/bin/coverage report --format=total)% (floor ${COVERAGE_FLOOR}%)"
.venv/bin/coverage report --fail-under="$COVERAGE_FLOOR" >/dev/null || {
  echo "coverage fell below the floor of ${COVERAGE_FLOOR}% (.venv/bin/coverage report shows where)"
  status=2
}
exit $status
