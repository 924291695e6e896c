# Shared by kafka.sh, redis.sh and service.sh: process bookkeeping for the local stack.
# Callers define say() for their messages.

# running PIDFILE: the process recorded in PIDFILE is alive.
running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_until SECONDS PIDFILE LOG COMMAND...: retry COMMAND until it succeeds; fail when the
# process dies first (PIDFILE, unless empty) or after SECONDS, showing the end of LOG.
wait_until() {
  local limit=$1 pidfile=$2 log=$3
  shift 3
  local deadline=$((SECONDS + limit))
  until "$@"; do
    if [[ -n "$pidfile" ]] && ! running "$pidfile"; then
      say "exited during start-up; last lines of $log:"; tail -n 30 "$log" >&2; exit 1
    fi
    if ((SECONDS > deadline)); then say "not ready after ${limit}s; see $log"; exit 1; fi
    sleep 0.2
  done
}

# stop_process PIDFILE SECONDS [COMMAND...]: ask the process to stop (COMMAND, else SIGTERM),
# wait for it to exit, SIGKILL it after SECONDS; then forget its pid file.
stop_process() {
  local pidfile=$1 limit=$2 pid deadline
  shift 2
  pid=$(cat "$pidfile")  # read first: a stopping process may delete its own pid file
  if (($#)) && "$@" >/dev/null 2>&1; then :; else kill -TERM "$pid"; fi
  deadline=$((SECONDS + limit))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS > deadline)); then say "no clean stop after ${limit}s; killing"; kill -KILL "$pid"; fi
    sleep 0.2
  done
  rm -f "$pidfile"
}

# apt_install COMMAND PACKAGE...: install Debian packages when COMMAND is missing (as root, or
# with password-less sudo; otherwise say what to install).
apt_install() {
  local command=$1
  shift
  command -v "$command" >/dev/null && return
  local sudo=""
  if [[ $(id -u) != 0 ]]; then
    sudo -n true 2>/dev/null || { say "$command is missing; install it: apt-get install $*"; exit 1; }
    sudo="sudo -n"
  fi
  say "installing Debian's $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
