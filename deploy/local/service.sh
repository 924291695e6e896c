#!/usr/bin/env bash
# Runs one IOC service (python -m services.<name>) in the background for the local stack.
#   service.sh start NAME PORT    start, wait until http://127.0.0.1:PORT/healthz answers
#   service.sh stop NAME          stop (SIGTERM: the service drains, then exits)
#   service.sh status NAME
# The service reads its settings from the environment (the Makefile sets them).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
action=${1:-}; name=${2:-}
state="${SERVICE_STATE_DIR:-$root/.local/stack}/$name"
pidfile="$state/$name.pid"
log="$state/$name.log"

say() { echo "$name: $*" >&2; }
running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  local port=$1
  if running; then say "already running (pid $(cat "$pidfile"))"; return; fi
  mkdir -p "$state"
  nohup "$root/.venv/bin/python" -m "services.$name" >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local deadline=$((SECONDS + 30))
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    if ! running; then say "exited during start-up; last lines of $log:"; tail -n 20 "$log" >&2; exit 1; fi
    if ((SECONDS > deadline)); then say "no answer on port $port after 30s; see $log"; exit 1; fi
    sleep 0.2
  done
  say "ready on http://127.0.0.1:$port (log: $log)"
}

stop() {
  if ! running; then rm -f "$pidfile"; say "not running"; return; fi
  local pid deadline
  pid=$(cat "$pidfile")
  kill -TERM "$pid"
  deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS > deadline)); then kill -KILL "$pid"; fi
    sleep 0.2
  done
  rm -f "$pidfile"
  say "stopped"
}

case "$action" in
  start) [[ -n "$name" && -n "${3:-}" ]] || { echo "usage: $0 start NAME PORT" >&2; exit 2; }; start "$3" ;;
  stop) [[ -n "$name" ]] || { echo "usage: $0 stop NAME" >&2; exit 2; }; stop ;;
  status) if running; then echo "$name: running (pid $(cat "$pidfile"))"; else echo "$name: stopped"; exit 3; fi ;;
  *) echo "usage: $0 start NAME PORT | stop NAME | status NAME" >&2; exit 2 ;;
esac
