#!/usr/bin/env bash
# Debian's redis-server on 127.0.0.1 with its own port and directory.
#   redis.sh install   install the redis-server package when it is missing (apt)
#   redis.sh start     start (append-only file on: ingest's dedup keys survive a restart)
#   redis.sh stop      stop cleanly (SHUTDOWN, then SIGKILL after a grace period)
#   redis.sh status
# Environment: REDIS_PORT (16379), REDIS_STATE_DIR.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
port=${REDIS_PORT:-16379}
state=${REDIS_STATE_DIR:-$root/.local/stack/redis}
pidfile="$state/redis.pid"

say() { echo "redis: $*" >&2; }

install() {
  command -v redis-server >/dev/null && return
  local sudo=""
  if [[ $(id -u) != 0 ]]; then
    sudo -n true 2>/dev/null || { say "redis-server is missing; install it: apt-get install redis-server"; exit 1; }
    sudo="sudo -n"
  fi
  say "installing Debian's redis-server"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null
}

running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  install
  if running; then say "already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return; fi
  if redis-cli -p "$port" ping >/dev/null 2>&1; then
    say "port $port is taken by another process; set REDIS_PORT"; exit 1
  fi
  mkdir -p "$state"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$state" --daemonize yes \
    --pidfile "$pidfile" --logfile "$state/redis.log" --save "" \
    --appendonly yes --appendfsync everysec
  local deadline=$((SECONDS + 20))
  until [[ "$(redis-cli -p "$port" ping 2>/dev/null)" == PONG ]]; do
    if ((SECONDS > deadline)); then say "not ready after 20s; see $state/redis.log"; exit 1; fi
    sleep 0.1
  done
  say "ready on 127.0.0.1:$port"
}

stop() {
  if ! running; then rm -f "$pidfile"; say "not running"; return; fi
  local pid deadline
  pid=$(cat "$pidfile")
  redis-cli -p "$port" shutdown >/dev/null 2>&1 || kill -TERM "$pid"
  deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS > deadline)); then kill -KILL "$pid"; fi
    sleep 0.1
  done
  rm -f "$pidfile"
  say "stopped"
}

status() {
  if running; then echo "redis: running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; else echo "redis: stopped"; return 3; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
