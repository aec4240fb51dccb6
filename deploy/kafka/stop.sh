#!/usr/bin/env bash
# Stop the broker started by start.sh in DATA_DIR: SIGTERM to its process group, SIGKILL after 15 s.
#
#   stop.sh DATA_DIR
#   KAFKA_STOP_TIMEOUT  seconds to wait after SIGTERM (default 15)
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DATA_DIR" >&2
  exit 2
fi
pid_file="$1/kafka.pid"
timeout="${KAFKA_STOP_TIMEOUT:-15}"

if [[ ! -s "$pid_file" ]]; then
  exit 0
fi
pgid="$(cat "$pid_file")"

# True while a process of the group runs or is still tearing down. `kill -0` alone would also see
# zombies, which linger when the orphaned broker's new parent reaps late; but a zombie leader whose
# other threads still run (a JVM just after a signal) still holds the ports, so it counts as alive.
group_alive() {
  ps -e -o pgid=,stat=,nlwp= |
    awk -v g="$pgid" '$1 == g && ($2 !~ /^Z/ || $3 > 1) { found = 1 } END { exit !found }'
}

if kill -TERM -- "-$pgid" 2>/dev/null; then
  deadline=$((SECONDS + timeout))
  while group_alive && ((SECONDS < deadline)); do
    sleep 0.1
  done
  if group_alive; then
    echo "kafka stop: still running after ${timeout}s, sending SIGKILL" >&2
    kill -KILL -- "-$pgid" 2>/dev/null || true
    while group_alive; do sleep 0.05; done
  fi
fi
rm -f "$pid_file"
