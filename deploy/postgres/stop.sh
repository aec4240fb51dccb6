#!/usr/bin/env bash
# Stop the cluster started by start.sh in BASE_DIR.
#
#   stop.sh BASE_DIR [fast|immediate|smart]     (default fast)
#
# `immediate` skips the shutdown checkpoint, so the next start runs crash recovery.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 BASE_DIR [fast|immediate|smart]" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base="$(cd "$1" && pwd)"
mode="${2:-fast}"
case "$mode" in fast|immediate|smart) ;; *) echo "stop: unknown mode $mode" >&2; exit 2 ;; esac
bin="$("$here/ensure-server.sh")"

if [[ "$(id -u)" -eq 0 ]]; then
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

if ! as_pg "$bin/pg_ctl" -D "$base/data" status >/dev/null 2>&1; then
  exit 0
fi
as_pg "$bin/pg_ctl" -D "$base/data" -m "$mode" -w -t 60 stop >/dev/null
