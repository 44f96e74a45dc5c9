#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests on 127.0.0.1:$PGPORT (default 54329),
# owned by the postgres user (initdb refuses to run as root). Prints the admin URL.
set -euo pipefail
port=${PGPORT:-54329}
dir=${PGDATA_DIR:-/tmp/portal-test-pg-$port}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run_as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
if ! "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q 2>/dev/null; then
  if [ ! -f "$dir/PG_VERSION" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    run_as_postgres "$bin/initdb -D $dir -U postgres --auth=trust >/dev/null"
  fi
  run_as_postgres "$bin/pg_ctl -D $dir -l $dir/server.log -o '-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200' -w start >/dev/null"
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
