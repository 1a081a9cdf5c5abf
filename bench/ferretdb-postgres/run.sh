#!/usr/bin/env bash
# FerretDB with its PostgreSQL backend, for `npm run bench`: closer to a production server under
# concurrency than the SQLite backend the tests use (one writer per database there).
# Needs PostgreSQL (Debian: apt-get install postgresql) and Go (FerretDB is built as .ci/run builds it).
# Usage: bash bench/ferretdb-postgres/run.sh [port]   (default 27417; PostgreSQL on port+1 in a temp dir)
# Then:  MONGODB_URI=mongodb://127.0.0.1:27417/aspirasi_bench npm run bench
# Stops (and removes its data) on Ctrl-C or TERM.
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${1:-27417}"
pg_port=$((port + 1))
FERRET_VERSION=v1.24.2
bin="${ASPIRASI_CACHE_DIR:-$HOME/.cache/aspirasi-ikm}/ferretdb/ferretdb-$FERRET_VERSION"
[ -x "$bin" ] || bash .ci/build-ferretdb.sh "$FERRET_VERSION" "$bin"

# Debian puts the server programs under /usr/lib/postgresql/<version>/bin.
# (A symlink elsewhere, e.g. /usr/local/bin/initdb, is followed there: createdb sits beside it.)
pg_bin="$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb | tail -1)")")"
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL not found: apt-get install postgresql" >&2; exit 1; }

dir="$(mktemp -d)"
chmod 755 "$dir"
as_pg=()
# PostgreSQL refuses to run as root: run it as the `postgres` user when we are root.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd -r -M postgres
  chown postgres "$dir"
  as_pg=(su postgres -s /bin/sh -c)
fi
run_pg() { if [ ${#as_pg[@]} -gt 0 ]; then "${as_pg[@]}" "$*"; else sh -c "$*"; fi; }

ferret_pid=""
cleanup() {
  [ -n "$ferret_pid" ] && kill "$ferret_pid" 2>/dev/null || true
  run_pg "'$pg_bin/pg_ctl' -D '$dir/pg' -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run_pg "'$pg_bin/initdb' -D '$dir/pg' -U postgres --auth=trust" >/dev/null
run_pg "'$pg_bin/pg_ctl' -D '$dir/pg' -o '-p $pg_port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200' -l '$dir/pg.log' -w start" >/dev/null
run_pg "'$pg_bin/createdb' -h 127.0.0.1 -p $pg_port -U postgres ferretdb"

"$bin" --handler=postgresql --postgresql-url="postgres://postgres@127.0.0.1:$pg_port/ferretdb" \
  --state-dir="$dir" --listen-addr="127.0.0.1:$port" --debug-addr=- --telemetry=disable --log-level=WARN &
ferret_pid=$!
echo "FerretDB (PostgreSQL backend) on 127.0.0.1:$port; PostgreSQL on $pg_port. Ctrl-C stops both."
wait "$ferret_pid"
