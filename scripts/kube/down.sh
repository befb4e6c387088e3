#!/usr/bin/env bash
# Stops the control plane started by scripts/kube/up.sh and removes its state
# (set METADATACACHE_KUBE_KEEP=1 to keep the state dir, e.g. to read the logs).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"

state="$MDC_KUBE_DIR"
[ -d "$state" ] || exit 0
# Reverse start order: controllers first, etcd last, so nothing logs spurious connection errors.
for component in controller-manager apiserver etcd; do
  mdc_stop_pidfile "$state/$component.pid"
done
if [ -f "$state/etcd-data.path" ]; then
  etcd_data="$(cat "$state/etcd-data.path")"
  case "$etcd_data" in
    /dev/shm/metadatacache-etcd.* | "$state"/*) rm -rf "$etcd_data" ;;
  esac
fi
if [ "${METADATACACHE_KUBE_KEEP:-}" = 1 ]; then
  mdc_log "control plane stopped; state kept in $state"
else
  rm -rf "$state"
  mdc_log "control plane stopped"
fi
