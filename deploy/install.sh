#!/usr/bin/env bash
# Install the portal on a Debian server, as root, from the checkout this script is in (for
# example /srv/portal): Debian's packages, the service user, the virtualenv, the database role,
# /etc/portal/portal.env (written once), the nginx site, the systemd units and timers.
# Idempotent: a second run changes nothing it made the first time (docs/deploy.md).
#
#   deploy/install.sh [--root DIR] [--server-name HOST] [--db-admin-url URL] [--db-name NAME]
#                     [--set NAME=VALUE ...] [--no-start]
#
# --root DIR         write every file under DIR instead of / (a test, an image build, the smoke
#                    test): then no package, user, virtualenv or service is touched, and the
#                    database only with --db-admin-url
# --server-name HOST the site's host name (default: the host of PORTAL_BASE_URL in the
#                    environment file, else this machine's name)
# --db-admin-url URL a PostgreSQL superuser URL: create the roles "portal" (the tables' owner)
#                    and "portal_app" (the app's) and the database "portal" there when the
#                    environment file is not written yet (default: the local server through
#                    the postgres user)
# --db-name NAME     the database's name (default portal)
# --set NAME=VALUE   a setting for the environment file when it is first written (MAIL_SERVER,
#                    MAIL_PORT, RATELIMIT_STORAGE_URI ...); repeat it for each
# --no-start         install and migrate, but leave the services stopped
set -euo pipefail

APP_DIR=$(cd "$(dirname "$0")/.." && pwd)
ROOT=/
SERVER_NAME=
DB_ADMIN_URL=
START=yes
DB_NAME=portal
SETTINGS=()
SERVICE_USER=${PORTAL_USER:-portal}
while [ $# -gt 0 ]; do
  case $1 in
    --root) ROOT=$2; shift 2 ;;
    --server-name) SERVER_NAME=$2; shift 2 ;;
    --db-admin-url) DB_ADMIN_URL=$2; shift 2 ;;
    --db-name) DB_NAME=$2; shift 2 ;;
    --set) SETTINGS+=("$2"); shift 2 ;;
    --no-start) START=no; shift ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
ROOT=${ROOT%/}
LIVE=$([ -z "$ROOT" ] && echo yes || echo no)
ENV_FILE=$ROOT/etc/portal/portal.env
UNITS=(portal-web.service portal-mail-worker.service portal-chasers.service portal-chasers.timer
       portal-backup.service portal-backup.timer portal-retention.service portal-retention.timer)

say() { echo "== $*"; }
write_if_changed() {  # write_if_changed FILE MODE < content: only when the content differs
  local tmp; tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; return 0; fi
  mkdir -p "$(dirname "$1")"; install -m "$2" "$tmp" "$1"; rm -f "$tmp"; echo "   wrote $1"
}
env_value() { sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1; }

packages() {
  say "Debian packages"
  local need=()
  for pkg in nginx redis-server postgresql-client python3-venv openssl; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  [ ${#need[@]} -eq 0 ] || { apt-get update -q; DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"; }
}

service_user() {
  say "service user $SERVICE_USER"
  id -u "$SERVICE_USER" >/dev/null 2>&1 || useradd --system --home-dir "$APP_DIR" \
    --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
  mkdir -p "$APP_DIR/instance" /var/backups/portal
  chown "$SERVICE_USER:$SERVICE_USER" "$APP_DIR/instance" /var/backups/portal
}

virtualenv() {
  say "virtualenv and assets ($APP_DIR/.venv)"
  (cd "$APP_DIR" && scripts/setup.sh)
}

admin_psql() {  # psql as the server's superuser: --db-admin-url, else the local postgres user
  if [ -n "$DB_ADMIN_URL" ]; then psql "${DB_ADMIN_URL/+psycopg/}" "$@"
  else runuser -u postgres -- psql "$@"; fi
}

login_role() {  # login_role NAME PASSWORD [ATTRIBUTES]: made when missing, its password (re)set
  admin_psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='$1'" | grep -q 1 \
    || admin_psql -qc "CREATE ROLE $1 LOGIN" >/dev/null
  admin_psql -qc "ALTER ROLE $1 ${3:-} PASSWORD '$2'" >/dev/null
}

database_roles() {  # prints DATABASE_URL and DATABASE_OWNER_URL of the roles and database, made when missing
  local owner_password app_password address
  owner_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
  app_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
  # "portal" owns the tables: flask db upgrade and backups. BYPASSRLS: migrations that move
  # rows and pg_dump see every partnership's.
  login_role portal "$owner_password" BYPASSRLS
  # "portal_app" is the app: it owns nothing, so row-level security holds it (docs/deploy.md)
  login_role portal_app "$app_password" "NOSUPERUSER NOBYPASSRLS"
  admin_psql -qtAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" | grep -q 1 \
    || admin_psql -qc "CREATE DATABASE $DB_NAME OWNER portal" >/dev/null
  address=127.0.0.1:5432
  if [ -n "$DB_ADMIN_URL" ]; then
    address=$(python3 -c 'import sys; from urllib.parse import urlsplit as u; p=u(sys.argv[1]); print(f"{p.hostname}:{p.port or 5432}")' "$DB_ADMIN_URL")
  fi
  echo "postgresql+psycopg://portal_app:$app_password@$address/$DB_NAME" \
       "postgresql+psycopg://portal:$owner_password@$address/$DB_NAME"
}

environment_file() {
  say "environment file $ENV_FILE"
  [ -f "$ENV_FILE" ] && return 0  # written once: the operator's edits and the key stay
  local secret database roles host owned="s|^DATABASE_OWNER_URL=.*|#DATABASE_OWNER_URL=|"
  secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
  database="sqlite:///$APP_DIR/instance/portal.sqlite3"
  if [ "$LIVE" = yes ] || [ -n "$DB_ADMIN_URL" ]; then
    roles=$(database_roles)  # the app's URL, then the owner's
    database=${roles%% *}
    owned="s|@DATABASE_OWNER_URL@|${roles#* }|"
  fi
  host=${SERVER_NAME:-$(hostname -f 2>/dev/null || hostname)}
  sed -e "s|@SECRET_KEY@|$secret|" -e "s|@DATABASE_URL@|$database|" -e "$owned" \
      -e "s|@BASE_URL@|https://$host|" -e "s|@MAIL_SERVER@||" -e "s|@MAIL_PORT@|25|" \
      "$APP_DIR/deploy/portal.env.example" | with_settings | write_if_changed "$ENV_FILE" 0640
  [ "$LIVE" = yes ] && chgrp "$SERVICE_USER" "$ENV_FILE"
  return 0
}

with_settings() {  # the template on standard input, each --set NAME=VALUE put in its place
  local script=() setting
  for setting in "${SETTINGS[@]}"; do
    script+=(-e "s|^#\{0,1\}${setting%%=*}=.*|${setting}|")
  done
  if [ ${#script[@]} -eq 0 ]; then cat; else sed "${script[@]}"; fi
}

site_name() {
  [ -n "$SERVER_NAME" ] && { echo "$SERVER_NAME"; return; }
  python3 -c 'import sys; from urllib.parse import urlsplit; print(urlsplit(sys.argv[1]).hostname)' \
    "$(env_value PORTAL_BASE_URL)"
}

certificate() {  # a self-signed certificate until a real one is put in its place
  local folder=$ROOT/etc/ssl/portal
  say "TLS certificate $folder"
  [ -f "$folder/fullchain.pem" ] && [ -f "$folder/privkey.pem" ] && return 0
  mkdir -p "$folder"
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$1" \
    -addext "subjectAltName=DNS:$1" -keyout "$folder/privkey.pem" -out "$folder/fullchain.pem" 2>/dev/null
  chmod 0600 "$folder/privkey.pem"
}

nginx_site() {
  local name=$1
  say "nginx site $ROOT/etc/nginx/sites-available/portal ($name)"
  sed -e "s|@SERVER_NAME@|$name|g" -e "s|@CERT@|/etc/ssl/portal/fullchain.pem|" \
      -e "s|@KEY@|/etc/ssl/portal/privkey.pem|" "$APP_DIR/deploy/nginx/portal.conf" \
    | write_if_changed "$ROOT/etc/nginx/sites-available/portal" 0644
  mkdir -p "$ROOT/etc/nginx/sites-enabled"
  ln -sfn /etc/nginx/sites-available/portal "$ROOT/etc/nginx/sites-enabled/portal"
}

units() {
  say "systemd units $ROOT/etc/systemd/system"
  for unit in "${UNITS[@]}"; do
    sed -e "s|@APP_DIR@|$APP_DIR|g" -e "s|@USER@|$SERVICE_USER|g" "$APP_DIR/deploy/systemd/$unit" \
      | write_if_changed "$ROOT/etc/systemd/system/$unit" 0644
  done
}

migrate() {
  say "flask db upgrade"
  (cd "$APP_DIR" && set -a && . "$ENV_FILE" && set +a \
    && runuser -u "$SERVICE_USER" -- env FLASK_APP=app .venv/bin/flask db upgrade)
}

start() {
  if [ ! -d /run/systemd/system ]; then
    say "systemd is not running here: start the units' ExecStart commands another way"
    return 0
  fi
  say "enable and start the services and timers"
  systemctl daemon-reload
  systemctl enable --now redis-server portal-web portal-mail-worker \
    portal-chasers.timer portal-backup.timer portal-retention.timer
  nginx -t && systemctl reload nginx
}

main() {
  if [ "$LIVE" = yes ]; then
    [ "$(id -u)" = 0 ] || { echo "install.sh: run it as root" >&2; exit 1; }
    packages; service_user; virtualenv
  fi
  environment_file
  local name; name=$(site_name)
  certificate "$name"; nginx_site "$name"; units
  if [ "$LIVE" = yes ]; then
    migrate
    [ "$START" = yes ] && start
  fi
  say "done"
}

main
