#!/usr/bin/env bash
# Installs every external tool the test tiers need, idempotently (seconds when the cache is warm),
# and prints where each one is. Used by `npm run tools:install` and .ci/run.
#   kube-apiserver, kube-controller-manager, kubectl  built from the Go module proxy (cached)
#   helm                                              built from the Go module proxy (cached)
#   etcd, prometheus, promtool                        Debian packages
#   Hazelcast reference member, redis-server          scripts/tools/hazelcast.sh, redis.sh (when present)
# Also writes $MDC_TOOLS_CACHE/paths.env (PATH additions) for shells and tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
. "$here/common.sh"

start=$(date +%s)
# One apt-get update for all the installers below, and only when something is missing.
if ! mdc_have etcd || ! mdc_have prometheus || ! mdc_have promtool || ! mdc_have openssl ||
  ! mdc_have curl || ! mdc_have ip || ! mdc_have unshare; then
  mdc_apt_update
fi
# ip and unshare: the e2e tier runs in a private network namespace (scripts/kube/netns-run.sh).
mdc_apt_install openssl curl ca-certificates iproute2 util-linux
etcd_dir="$("$here/etcd.sh")"
prometheus_dir="$("$here/prometheus.sh")"
helm_dir="$("$here/helm.sh")"
kube_dir="$("$here/kube.sh")"
extra=()
for optional in hazelcast redis; do
  if [ -x "$here/$optional.sh" ] || [ -f "$here/$optional.sh" ]; then
    mdc_log "running $optional.sh"
    extra+=("$optional: $(bash "$here/$optional.sh" | tail -n 1)")
  fi
done

mkdir -p "$MDC_TOOLS_CACHE"
# shellcheck disable=SC2016 # $PATH is expanded when the file is sourced, not now
printf 'export PATH="%s:%s:$PATH"\n' "$kube_dir" "$helm_dir" >"$MDC_TOOLS_CACHE/paths.env"

echo "== tools (cache: $MDC_TOOLS_CACHE)"
echo "kube-apiserver: $kube_dir/kube-apiserver ($("$kube_dir/kube-apiserver" --version 2>&1))"
echo "kube-controller-manager: $kube_dir/kube-controller-manager"
echo "kubectl: $kube_dir/kubectl ($("$kube_dir/kubectl" version --client 2>/dev/null | head -n 1))"
echo "helm: $helm_dir/helm ($("$helm_dir/helm" version --short 2>/dev/null))"
echo "etcd: $etcd_dir/etcd ($("$etcd_dir/etcd" --version 2>/dev/null | head -n 1))"
echo "prometheus: $prometheus_dir/prometheus ($(prometheus --version 2>&1 | head -n 1))"
echo "promtool: $(command -v promtool)"
for line in "${extra[@]}"; do echo "$line"; done
echo "PATH additions: source $MDC_TOOLS_CACHE/paths.env"
mdc_log "tools ready in $(($(date +%s) - start))s"
