#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster in BASE_DIR on 127.0.0.1:PORT with a `hub` superuser and database.
#
#   start.sh BASE_DIR PORT
#
# BASE_DIR holds data/ (the cluster), postgres.log and the Unix socket. Running it again on an existing
# BASE_DIR skips initdb and keeps the data. As root the server runs as the `postgres` user (initdb
# refuses root), so BASE_DIR and every folder above it must be reachable by `postgres`.
#   HUB_PG_FSYNC=off   disable fsync (only for clusters whose data may be lost; default on, because
#                      fault tests restart PostgreSQL and check nothing was lost)
#   HUB_PG_OPTS        extra server options, e.g. "-c max_connections=200"
#   PG_START_TIMEOUT   seconds to wait for the server (default 60)
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BASE_DIR PORT" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
base="$(cd "$1" && pwd)"
port="$2"
data="$base/data"
log="$base/postgres.log"
timeout="${PG_START_TIMEOUT:-60}"
bin="$("$here/ensure-server.sh")"

if [[ "$(id -u)" -eq 0 ]]; then
  if [[ "$(stat -c %U "$base")" != postgres ]]; then
    chown postgres:postgres "$base"
  fi
  if ! runuser -u postgres -- test -w "$base"; then
    echo "pg start: user postgres cannot reach $base; a folder above it is closed to it" \
         "(pytest's tmp_path is: use tempfile.mkdtemp(prefix='hub-pg-') under /tmp)" >&2
    exit 1
  fi
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  echo "pg start: already running in $data" >&2
  exit 1
fi

fsync_opts=""
initdb_opts=()
if [[ "${HUB_PG_FSYNC:-on}" == off ]]; then
  fsync_opts="-c fsync=off"
  initdb_opts+=(--no-sync)
fi

if [[ ! -f "$data/PG_VERSION" ]]; then
  # Locale C: the same sort order everywhere, and no dependency on which locales the machine generated.
  if ! as_pg "$bin/initdb" -D "$data" -U hub -A trust -E UTF8 --locale=C "${initdb_opts[@]}" \
      >"$base/initdb.log" 2>&1; then
    echo "pg start: initdb failed:" >&2
    tail -n 40 "$base/initdb.log" >&2
    exit 1
  fi
fi

server_opts="-p $port -k $base -c listen_addresses=127.0.0.1 $fsync_opts ${HUB_PG_OPTS:-}"
if ! as_pg "$bin/pg_ctl" -D "$data" -o "$server_opts" -l "$log" -w -t "$timeout" start >"$base/pg_ctl.log" 2>&1; then
  echo "pg start: server did not start; last lines of $log:" >&2
  cat "$base/pg_ctl.log" >&2
  tail -n 40 "$log" >&2 || true
  exit 1
fi

psql=("$bin/psql" -X -q -h "$base" -p "$port" -U hub)
if [[ -z "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'hub'")" ]]; then
  "${psql[@]}" -d postgres -c "CREATE DATABASE hub OWNER hub" >/dev/null
fi
echo "pg start: ready on 127.0.0.1:$port (data $data)" >&2
