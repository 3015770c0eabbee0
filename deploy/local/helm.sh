#!/usr/bin/env bash
# Prints the path of a Helm 3 binary, building it from the Go module proxy into .infra/tools/ when none is on
# PATH (no release downloads here). The version variables make it assume a current Kubernetes (1.37) instead of
# the 1.20 a plain `go install` build falls back to, which the chart's kubeVersion (>= 1.25) would refuse.
set -euo pipefail
HELM_VERSION=v3.22.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/.infra/tools/helm-$HELM_VERSION"

if command -v helm >/dev/null 2>&1; then command -v helm; exit 0; fi
if [ ! -x "$BIN/helm" ]; then
  command -v go >/dev/null || { echo "[helm] needs Go to build helm (apt-get install golang)" >&2; exit 1; }
  echo "[helm] building helm $HELM_VERSION with go install (first time only, a few minutes) ..." >&2
  mkdir -p "$BIN"
  ldflags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ldflags="$ldflags -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=37"
  done
  GOBIN="$BIN" GOFLAGS=-mod=mod go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
fi
echo "$BIN/helm"
