#!/usr/bin/env bash
# `make bench`: set up, start the throwaway PostgreSQL server, then print every benchmark figure
# (scripts/bench.py writes docs/benchmarks.md; the survey's load test and the security figures,
# among them the timings the tests no longer assert, are appended to it).
# Extra arguments go to scripts/bench.py, e.g. --sizes 1000 for a quick run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
if ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
export TEST_POSTGRES_URL
TEST_POSTGRES_URL=$(scripts/postgres.sh)
.venv/bin/python scripts/bench.py "$@"
survey=$(mktemp)
.venv/bin/python scripts/bench_survey.py | tee "$survey"
# the same post in-process: CPU and Python function calls a post, steadier than the load test's
# figures on a shared machine; with production's limits (Redis) where redis-server is installed
for engine in sqlite postgresql; do
  .venv/bin/python scripts/profile_survey_post.py --engine "$engine" --limits off 2>/dev/null | tee -a "$survey"
  if command -v redis-server >/dev/null; then
    .venv/bin/python scripts/profile_survey_post.py --engine "$engine" --limits redis 2>/dev/null | tee -a "$survey"
  fi
done
{ echo; echo "## Practitioner survey under load (scripts/bench_survey.py)"; echo; echo '```'; cat "$survey"; echo '```'; } >> docs/benchmarks.md
security=$(mktemp)
.venv/bin/python scripts/bench_security.py | tee "$security"
{ echo; echo "## Security and web timings (scripts/bench_security.py)"; echo; echo '```'; cat "$security"; echo '```'; } >> docs/benchmarks.md
pdf=$(mktemp)
.venv/bin/python scripts/bench_pdf.py | tee "$pdf"
{ echo; echo "## The full-limit return's PDF (scripts/bench_pdf.py)"; echo; echo '```'; cat "$pdf"; echo '```'; } >> docs/benchmarks.md
rm -f "$survey" "$security" "$pdf"
