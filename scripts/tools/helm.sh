#!/usr/bin/env bash
# helm, built with `go install` from the Go module proxy (helm has no replace directives, so this
# works as is) into $MDC_TOOLS_CACHE/helm/<version>/bin. Prints that directory.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ ! -x "$MDC_HELM_BIN/helm" ]; then
  mdc_have go || mdc_die "go is required to build helm"
  mkdir -p "$MDC_HELM_BIN"
  exec 9>"$MDC_HELM_BIN/../.build.lock"
  flock 9
  if [ ! -x "$MDC_HELM_BIN/helm" ]; then
    mdc_log "helm $MDC_HELM_VERSION: go install"
    # Without the ldflag, `helm version` reports a development version instead of the pinned one.
    mdc_timed "build helm" env CGO_ENABLED=0 GOBIN="$MDC_HELM_BIN" GOMAXPROCS="${MDC_GO_BUILD_PARALLEL:-2}" nice -n "${MDC_BUILD_NICE:-0}" \
      go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$MDC_HELM_VERSION" \
      "helm.sh/helm/v3/cmd/helm@$MDC_HELM_VERSION"
  fi
fi
echo "$MDC_HELM_BIN"
