#!/usr/bin/env bash
# Restarts one component of the running control plane with exactly the same flags:
#   scripts/kube/restart.sh apiserver|controller-manager|etcd
# Waits for the apiserver to be ready again. Used by tests ("survives an apiserver restart").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"

component="${1:?usage: restart.sh apiserver|controller-manager|etcd}"
state="$MDC_KUBE_DIR"
case "$component" in apiserver | controller-manager | etcd) ;; *) mdc_die "unknown component $component" ;; esac
[ -f "$state/run-$component.sh" ] || mdc_die "no control plane in $state (run scripts/kube/up.sh)"

mdc_stop_pidfile "$state/$component.pid"
mdc_spawn "$state/$component.pid" "$state/logs/$component.log" bash "$state/run-$component.sh"
url="$(cat "$state/apiserver.url")"
ready() { curl -sf --max-time 2 --cacert "$state/pki/ca.crt" "$url/readyz"; }
mdc_wait_for 90 "kube-apiserver after restarting $component" ready || mdc_die "apiserver not ready after restart"
