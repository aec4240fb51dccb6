#!/usr/bin/env bash
# Start a single-node KRaft Kafka broker in the background and wait until it accepts connections.
#
#   start.sh DATA_DIR PORT CONTROLLER_PORT [PARTITIONS]
#
# DATA_DIR gets server.properties, kafka.log (broker output), kafka.pid and logs/ (the topic data).
# Running it again on the same DATA_DIR reuses the formatted storage, so the data survives a restart.
#   KAFKA_START_TIMEOUT  seconds to wait for the port (default 60)
#   KAFKA_HEAP_OPTS      JVM heap flags (default -Xms256m -Xmx512m)
#   KAFKA_LOG4J_CONFIG   log4j2 config for the broker (default: log4j2.properties here, WARN and up)
set -euo pipefail

if [[ $# -lt 3 || $# -gt 4 ]]; then
  echo "usage: $0 DATA_DIR PORT CONTROLLER_PORT [PARTITIONS]" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
data_dir="$(cd "$1" && pwd)"
port="$2"
controller_port="$3"
partitions="${4:-4}"
timeout="${KAFKA_START_TIMEOUT:-60}"
heap_opts="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
log4j_conf="${KAFKA_LOG4J_CONFIG:-$here/log4j2.properties}"
log_dir="$data_dir/logs"
props="$data_dir/server.properties"
out="$data_dir/kafka.log"
pid_file="$data_dir/kafka.pid"

# Zombies count as dead (the orphaned broker may sit unreaped for a while after it exits), unless other
# threads of the JVM are still tearing down.
alive() {
  local stat nlwp
  read -r stat nlwp < <(ps -o stat=,nlwp= -p "$1" 2>/dev/null) || return 1
  [[ -n "$stat" ]] && { [[ "$stat" != Z* ]] || ((nlwp > 1)); }
}

command -v java >/dev/null || { echo "kafka start: java not found on PATH" >&2; exit 1; }

if [[ -s "$pid_file" ]] && alive "$(cat "$pid_file")"; then
  echo "kafka start: already running in $data_dir (pid $(cat "$pid_file"))" >&2
  exit 1
fi

# The readiness check below is a TCP connect, which anything already listening on the port would pass.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "kafka start: port $port on 127.0.0.1 is already in use by another process" >&2
  exit 1
fi

libs="$("$here/fetch-jars.sh")"
cp_arg="$libs/*"

mkdir -p "$log_dir"
sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$controller_port|g" \
    -e "s|@LOG_DIR@|$log_dir|g" -e "s|@PARTITIONS@|$partitions|g" \
    "$here/server.properties.template" >"$props"

if [[ ! -f "$log_dir/meta.properties" ]]; then
  # A cluster id is 16 random bytes in URL-safe base64 without padding; making it here saves the JVM
  # start of `StorageTool random-uuid`. Kafka itself never hands out ids starting with '-'.
  cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  if ! java -Xmx256m -cp "$cp_arg" -Dlog4j2.configurationFile="$log4j_conf" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >"$data_dir/format.log" 2>&1; then
    echo "kafka start: storage format failed:" >&2
    tail -n 40 "$data_dir/format.log" >&2
    exit 1
  fi
fi

# The broker runs in a session of its own so stop.sh can signal the whole group; the inner shell writes
# its own pid (the session leader, which then becomes java) whether or not setsid had to fork.
# shellcheck disable=SC2086  # heap_opts is a list of flags
setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pid_file" \
  java $heap_opts -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$log4j_conf" \
  -cp "$cp_arg" kafka.Kafka "$props" >>"$out" 2>&1 </dev/null &

for _ in $(seq 50); do [[ -s "$pid_file" ]] && break; sleep 0.02; done
pid="$(cat "$pid_file" 2>/dev/null || true)"

deadline=$((SECONDS + timeout))
while ((SECONDS < deadline)); do
  if [[ -z "$pid" ]] || ! alive "$pid"; then
    echo "kafka start: broker exited during startup; last lines of $out:" >&2
    tail -n 40 "$out" >&2
    rm -f "$pid_file"
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "kafka start: ready on 127.0.0.1:$port (pid $pid)" >&2
    exit 0
  fi
  sleep 0.1
done

echo "kafka start: port $port not open after ${timeout}s; last lines of $out:" >&2
tail -n 40 "$out" >&2
kill -KILL -- "-$pid" 2>/dev/null || true
rm -f "$pid_file"
exit 1
