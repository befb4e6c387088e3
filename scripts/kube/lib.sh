#!/usr/bin/env bash
# Helpers shared by scripts/kube/*.sh. Sourced; sets no shell options.
# shellcheck source-path=SCRIPTDIR/../tools
. "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"

# shellcheck disable=SC2034 # used by the scripts that source this file
MDC_KUBE_DIR="${METADATACACHE_KUBE_DIR:-/tmp/metadatacache-kube}"

# A free TCP port on 127.0.0.1 (bound and released; the tiny race is acceptable for tests).
mdc_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

mdc_pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stop the process whose pid is in file $1: TERM, then KILL after a grace period.
mdc_stop_pidfile() {
  local pidfile="$1" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# Start "$@" detached in its own session, logging to $2's log, pid into $1.
mdc_spawn() {
  local pidfile="$1" logfile="$2"
  shift 2
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# Wait until `$@` succeeds, at most $1 seconds; $2 names what we wait for.
mdc_wait_for() {
  local timeout="$1" what="$2" deadline
  shift 2
  deadline=$(($(date +%s) + timeout))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
  mdc_log "$what is ready"
}
