#!/usr/bin/env bash
# shellcheck disable=SC2034 # the settings below are used by the scripts that source this file
# Shared settings for the tool installers: one cache root, every pinned version in one place,
# and small helpers. Sourced by scripts/tools/*.sh and scripts/kube/*.sh; sets no shell options.

# Everything heavy lives outside the repo, keyed by version, so CI and later sessions reuse it.
MDC_TOOLS_CACHE="${METADATACACHE_TOOLS_CACHE:-$HOME/.cache/metadatacache}"

# Pinned versions. Kubernetes 1.33 accepts Debian's etcd 3.4; staging modules follow as v0.<minor>.<patch>.
MDC_KUBE_VERSION="${MDC_KUBE_VERSION:-v1.33.13}"
MDC_HELM_VERSION="${MDC_HELM_VERSION:-v3.16.4}"
# Debian packages (bookworm): the version actually installed is whatever apt has; these are documented minimums.
MDC_ETCD_APT_PACKAGE="etcd-server"
MDC_PROMETHEUS_APT_PACKAGE="prometheus"

MDC_KUBE_BIN="$MDC_TOOLS_CACHE/kube/$MDC_KUBE_VERSION/bin"
MDC_HELM_BIN="$MDC_TOOLS_CACHE/helm/$MDC_HELM_VERSION/bin"

# Go ships in /usr/local/go on this machine image; a non-login shell (CI) may not have it on PATH.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH="/usr/local/go/bin:$PATH"
fi

mdc_log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
mdc_die() {
  mdc_log "error: $*"
  exit 1
}
mdc_have() { command -v "$1" >/dev/null 2>&1; }

# Installs the Debian packages that are missing, after one apt-get update.
mdc_apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  mdc_apt_update
  mdc_log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $(mdc_sudo) apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

mdc_sudo() { [ "$(id -u)" -eq 0 ] || echo sudo; }

# The exported marker makes child scripts skip the update that a parent already ran.
mdc_apt_update() {
  [ -n "${MDC_APT_UPDATED:-}" ] && return 0
  mdc_log "apt-get update"
  $(mdc_sudo) apt-get update -qq
  export MDC_APT_UPDATED=1
}

# Run a command, logging how long it took (the cold-build timings in docs/testing.md come from here).
mdc_timed() {
  local label="$1" start end
  shift
  start=$(date +%s)
  "$@"
  end=$(date +%s)
  mdc_log "$label took $((end - start))s"
}
