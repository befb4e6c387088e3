#!/usr/bin/env bash
# Prometheus and promtool from Debian (2.42 on bookworm), installed without recommends.
# Prints the directory holding both. Tests start Prometheus themselves on a loopback port.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if ! mdc_have prometheus || ! mdc_have promtool; then
  mdc_apt_install "$MDC_PROMETHEUS_APT_PACKAGE"
  if mdc_have systemctl && systemctl is-active --quiet prometheus 2>/dev/null; then systemctl stop prometheus || true; fi
fi
dirname "$(command -v prometheus)"
