#!/usr/bin/env bash
# Runs a command in a private network namespace that has loopback plus a "pod network": every
# address of ${MDC_POD_NETWORK:-198.18.0.0/24} (the benchmarking test range) is local, like
# 127.0.0.0/8, so test processes can bind and reach them without any traffic leaving the namespace.
# A second, larger range ${MDC_IDLE_POD_NETWORK:-198.19.0.0/16} is local too: addresses for pods
# that run no process (benchmarks with hundreds of pods), so even a stray connection stays inside.
#
# Why: the apiserver refuses loopback addresses in EndpointSlices, so cache-node processes that
# stand in for pods need non-loopback pod IPs for EndpointSlice-based discovery to work.
#
#   scripts/kube/netns-run.sh npm run test:e2e
#
# Inside, MDC_POD_NETWORK and MDC_IDLE_POD_NETWORK are exported (test/helpers/kube-pods.ts
# `testPodIP` and `idlePodIP` use them). Everything
# the command starts (control plane included) lives in the namespace, which disappears with it.
# Requires root (or user namespaces); without them the command runs as is, with a warning.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"

[ "$#" -gt 0 ] || mdc_die "usage: netns-run.sh COMMAND [ARGS...]"
range="${MDC_POD_NETWORK:-198.18.0.0/24}"
idle="${MDC_IDLE_POD_NETWORK:-198.19.0.0/16}"

if [ "${MDC_IN_TEST_NETNS:-}" = 1 ]; then exec "$@"; fi
if ! unshare --net true 2>/dev/null; then
  mdc_log "warning: cannot create a network namespace; running without a pod network"
  exec "$@"
fi

# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare --net -- bash -c '
  set -e
  ip link set lo up
  ip route add local "$1" dev lo table local
  ip route add local "$2" dev lo table local
  export MDC_IN_TEST_NETNS=1 MDC_POD_NETWORK="$1" MDC_IDLE_POD_NETWORK="$2"
  shift 2
  exec "$@"' netns-run "$range" "$idle" "$@"
