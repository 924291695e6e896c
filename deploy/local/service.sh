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
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start() {
  local port=$1
  if running "$pidfile"; then say "already running (pid $(cat "$pidfile"))"; return; fi
  mkdir -p "$state"
  nohup "$root/.venv/bin/python" -m "services.$name" >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_until 30 "$pidfile" "$log" curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"
  say "ready on http://127.0.0.1:$port (log: $log)"
}

stop() {
  if ! running "$pidfile"; then rm -f "$pidfile"; say "not running"; return; fi
  stop_process "$pidfile" 30
  say "stopped"
}

case "$action" in
  start) [[ -n "$name" && -n "${3:-}" ]] || { echo "usage: $0 start NAME PORT" >&2; exit 2; }; start "$3" ;;
  stop) [[ -n "$name" ]] || { echo "usage: $0 stop NAME" >&2; exit 2; }; stop ;;
  status) if running "$pidfile"; then echo "$name: running (pid $(cat "$pidfile"))"; else echo "$name: stopped"; exit 3; fi ;;
  *) echo "usage: $0 start NAME PORT | stop NAME | status NAME" >&2; exit 2 ;;
esac
