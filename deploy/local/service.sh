#!/usr/bin/env bash
# Runs one IOC process in the background for the local stack.
#   service.sh start LABEL MODULE HEALTH_URL [ARGS...]   python -m MODULE ARGS; wait for HEALTH_URL
#                                                        ("-": no endpoint; alive after a second)
#   service.sh stop LABEL                                stop (SIGTERM: it drains, then exits)
#   service.sh status LABEL
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
  local module=$1 health=$2
  shift 2
  if running "$pidfile"; then say "already running (pid $(cat "$pidfile"))"; return; fi
  mkdir -p "$state"
  nohup "$root/.venv/bin/python" -m "$module" "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  if [[ "$health" == "-" ]]; then
    sleep 1
    running "$pidfile" || { say "exited at start; see $log"; tail -n 20 "$log" >&2; exit 1; }
    say "started (log: $log)"
    return
  fi
  wait_until 60 "$pidfile" "$log" curl -sf -o /dev/null "$health"
  say "ready (log: $log)"
}

stop() {
  if ! running "$pidfile"; then rm -f "$pidfile"; say "not running"; return; fi
  stop_process "$pidfile" 30
  say "stopped"
}

case "$action" in
  start) [[ -n "$name" && -n "${4:-}" ]] || { echo "usage: $0 start LABEL MODULE HEALTH_URL [ARGS...]" >&2; exit 2; }; start "${@:3}" ;;
  stop) [[ -n "$name" ]] || { echo "usage: $0 stop NAME" >&2; exit 2; }; stop ;;
  status) if running "$pidfile"; then echo "$name: running (pid $(cat "$pidfile"))"; else echo "$name: stopped"; exit 3; fi ;;
  *) echo "usage: $0 start LABEL MODULE HEALTH_URL [ARGS...] | stop LABEL | status LABEL" >&2; exit 2 ;;
esac
