#!/usr/bin/env bash
# Runs COMMAND with a private PostgreSQL 15 (Debian's postgresql-15) for the PostgresStore tests:
# initdb into a temporary folder, start the server on a Unix socket in that folder only (no TCP
# port), create database "psm", export PSM_TEST_POSTGRES=postgres:///psm?host=DIR&user=psm, run
# COMMAND, then stop the server and remove the folder at exit (trap), also when COMMAND fails.
# The tests that stop and restart the server mid-call use PSM_TEST_PG_CTL / _DATA / _RUNAS.
#   scripts/pg-test.sh swift test --skip-build --filter ActuatorStoreTests
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || { echo "pg-test: $bin/initdb not found: install postgresql-15 (scripts/setup.sh)" >&2; exit 1; }
(($#)) || { echo "usage: scripts/pg-test.sh COMMAND [ARG...]" >&2; exit 2; }

dir=$(mktemp -d /tmp/psm-pg.XXXXXX)
# initdb and the server refuse to run as root: run them as the postgres system user then.
runas=()
runas_user=""
if [ "$(id -u)" -eq 0 ]; then
  runas_user=postgres
  runas=(runuser -u "$runas_user" --)
  chown "$runas_user" "$dir"
fi
chmod 755 "$dir"

cleanup() {
  "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${runas[@]}" "$bin/initdb" -D "$dir/data" -U psm --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
max_connections = 200
CONF
"${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
"$bin/createdb" -h "$dir" -U psm psm

export PSM_TEST_POSTGRES="postgres:///psm?host=$dir&user=psm"
export PSM_TEST_PG_CTL="$bin/pg_ctl" PSM_TEST_PG_DATA="$dir/data" PSM_TEST_PG_RUNAS="$runas_user"
echo "pg-test: PostgreSQL 15 on $dir (PSM_TEST_POSTGRES=$PSM_TEST_POSTGRES)" >&2
"$@"
