#!/usr/bin/env bash
# Make sure the PostgreSQL server programs (initdb, pg_ctl, postgres) are installed; print their bin dir.
#
# Debian's `postgresql` package does not put initdb or pg_ctl on PATH (only the pg_wrapper clients), so
# after PATH we look in /usr/lib/postgresql/*/bin, newest version first. When nothing is found and we
# are root, install the package with apt; otherwise fail with a message saying what to install.
set -euo pipefail

find_bin_dir() {
  local initdb pg_ctl dir
  initdb="$(command -v initdb 2>/dev/null || true)"
  pg_ctl="$(command -v pg_ctl 2>/dev/null || true)"
  if [[ -n "$initdb" && -n "$pg_ctl" ]]; then
    # Resolve symlinks so the printed dir also holds postgres, psql and createdb of the same version.
    dir="$(dirname "$(readlink -f "$initdb")")"
    if [[ -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
      echo "$dir"
      return 0
    fi
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if bin_dir="$(find_bin_dir)"; then
  echo "$bin_dir"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "ensure-server: PostgreSQL server programs (initdb, pg_ctl) not found on PATH or in" \
       "/usr/lib/postgresql/*/bin; install them as root: apt-get install -y postgresql" >&2
  exit 1
fi

echo "ensure-server: installing PostgreSQL with apt-get" >&2
# Serialise concurrent installers: dpkg takes its own lock and fails rather than waits.
exec 9>/tmp/hub-pg-apt.lock
flock 9
if ! bin_dir="$(find_bin_dir)"; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  bin_dir="$(find_bin_dir)" || { echo "ensure-server: apt-get installed postgresql but initdb is still missing" >&2; exit 1; }
fi
echo "$bin_dir"
