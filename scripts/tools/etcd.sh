#!/usr/bin/env bash
# etcd for the test control plane: Debian's etcd-server (3.4.x), which kube-apiserver 1.33 accepts.
# Prints the directory holding the etcd binary. The package's service is never started here:
# scripts/kube/up.sh runs etcd itself on loopback with a temporary data dir.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if ! mdc_have etcd; then
  mdc_apt_install "$MDC_ETCD_APT_PACKAGE"
  # The package may start a system etcd on 127.0.0.1:2379 where an init system exists; tests never
  # rely on it and pick free ports, but stop it so it holds no ports or CPU.
  if mdc_have systemctl && systemctl is-active --quiet etcd 2>/dev/null; then systemctl stop etcd || true; fi
fi
dirname "$(command -v etcd)"
