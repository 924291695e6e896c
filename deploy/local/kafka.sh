#!/usr/bin/env bash
# A real Apache Kafka 4 broker (KRaft, combined broker+controller) on 127.0.0.1, without Docker.
#   kafka.sh install   fetch the jars from Maven Central (pom.xml) into .local/kafka/libs
#   kafka.sh start     format storage on first use, start, wait until the broker answers
#   kafka.sh stop      stop cleanly (SIGTERM, then SIGKILL after a grace period)
#   kafka.sh status
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_STATE_DIR, KAFKA_HEAP_MAX.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
libs="$root/.local/kafka/libs"
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
state=${KAFKA_STATE_DIR:-$root/.local/stack/kafka}
heap_max=${KAFKA_HEAP_MAX:-1g}
pidfile="$state/kafka.pid"
log="$state/kafka.log"

say() { echo "kafka: $*" >&2; }
# shellcheck source=lib.sh
source "$here/lib.sh"

install() {
  local stamp="$libs/.pom.sha256" want
  want=$(sha256sum "$here/pom.xml" | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  command -v mvn >/dev/null || { say "Maven (mvn) is required to fetch the Kafka jars"; exit 1; }
  command -v java >/dev/null || { say "Java 17+ is required to run Kafka 4"; exit 1; }
  say "fetching Kafka jars from Maven Central into $libs"
  rm -rf "$libs" && mkdir -p "$libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime
  echo "$want" >"$stamp"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

java_opts=(-Xms128m "-Xmx$heap_max" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$here/log4j2.properties" -cp "$libs/*")

write_config() {
  mkdir -p "$state/data"
  sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$controller_port|g" \
    -e "s|@DATA_DIR@|$state/data|g" "$here/server.properties" >"$state/server.properties"
}

format_storage() {
  [[ -f "$state/data/meta.properties" ]] && return
  local cluster_id  # may start with "-": passed as --cluster-id=ID, never as a separate word
  cluster_id=$(python3 -c 'import base64,uuid;print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')
  say "formatting storage in $state/data (cluster $cluster_id)"
  java "${java_opts[@]}" kafka.tools.StorageTool format --ignore-formatted \
    --cluster-id="$cluster_id" --config "$state/server.properties" >>"$log" 2>&1
}

start() {
  install
  if running "$pidfile"; then say "already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return; fi
  rm -f "$pidfile"
  for p in "$port" "$controller_port"; do
    if port_open "$p"; then say "port $p is taken by another process; set KAFKA_PORT/KAFKA_CONTROLLER_PORT"; exit 1; fi
  done
  write_config
  format_storage
  say "starting on 127.0.0.1:$port (log: $log)"
  log_offset=$(stat -c %s "$log" 2>/dev/null || echo 0)
  nohup java "${java_opts[@]}" kafka.Kafka "$state/server.properties" >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_ready
}

broker_started() {
  # Only this start's lines count: the log is appended across restarts.
  port_open "$port" && tail -c +"$((log_offset + 1))" "$log" | grep -q "Kafka Server started"
}

wait_ready() {
  wait_until "${KAFKA_START_TIMEOUT:-90}" "$pidfile" "$log" broker_started
  say "ready on 127.0.0.1:$port"
}

stop() {
  if ! running "$pidfile"; then rm -f "$pidfile"; say "not running"; return; fi
  stop_process "$pidfile" "${KAFKA_STOP_TIMEOUT:-60}"
  say "stopped"
}

status() {
  if running "$pidfile"; then echo "kafka: running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; else echo "kafka: stopped"; return 3; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
