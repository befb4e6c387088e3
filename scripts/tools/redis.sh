#!/usr/bin/env bash
# redis-server for the protocol throughput benchmark (Debian package; the benchmark starts its own
# instance on a free loopback port). Idempotent; prints the redis-server path on its last line.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if ! mdc_have redis-server; then
  mdc_apt_install redis-server
  # The package may start a system instance on 6379 where an init system exists; the benchmark
  # never uses it.
  if mdc_have systemctl && systemctl is-active --quiet redis-server 2>/dev/null; then
    systemctl stop redis-server || true
  fi
fi
command -v redis-server
