#!/usr/bin/env bash
# Install what the portal needs on a Debian machine: system packages (as root, when missing),
# a virtualenv with the pinned Python packages, and the GOV.UK Frontend / axe-core npm packages.
# Usage: scripts/setup.sh [--test]   (--test adds Chromium, PostgreSQL, poppler and test packages)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

need=()
command -v python3 >/dev/null || need+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
command -v npm >/dev/null || need+=(npm)
# the PDFs embed DejaVu Sans Condensed (portal/reports/pdf_common.py) for Welsh and Polish letters
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf ] || need+=(fonts-dejavu-core)
if $want_test; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)  # the deploy kit's site is checked with nginx -t
  command -v systemd-analyze >/dev/null || need+=(systemd)  # systemd-analyze verify of the units
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${need[*]} (run this script as root to install them)" >&2
  fi
fi

# The npm packages first: building the portal package (even editable) bundles GOV.UK Frontend.
# With --test also the local OpenID Connect provider the SSO tests start (a devDependency).
if [ ! -f node_modules/govuk-frontend/package.json ] || [ ! -f node_modules/axe-core/axe.min.js ] \
   || { $want_test && [ ! -f node_modules/oidc-provider/package.json ]; }; then
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
suffix=""
if $want_test; then suffix="-test"; fi
stamp=.venv/.installed-$(sha256sum < pyproject.toml | cut -c1-16)$suffix
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  if $want_test; then
    .venv/bin/pip install -q -e '.[test]'
  else
    .venv/bin/pip install -q -e .
  fi
  touch "$stamp"
fi

