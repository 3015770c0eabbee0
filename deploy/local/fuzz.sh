#!/usr/bin/env bash
# The API fuzzer: schemathesis (PyPI) in its own virtual environment under .infra/fuzz, pinned, installed once.
# It reads each service's OpenAPI document (/docs/openapi.json) and sends what the schemas allow and what they do not
# (coverage, random and stateful phases); a response >= 500 is a failure. Used by the end-to-end test (short) and
# bench/fuzz.ts (full); libs/harness/src/fuzz.ts runs it and reads its HAR report.
#
#   bash deploy/local/fuzz.sh install     create .infra/fuzz/venv when missing (python3 with venv and pip needed)
#   bash deploy/local/fuzz.sh path        print the schemathesis executable (after install)
#
# Environment: PIP_INDEX_URL for a mirror.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.infra/fuzz/venv"
BIN="$VENV/bin/schemathesis"

installed() { [[ -x "$BIN" ]] && "$BIN" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; }

case "${1:-install}" in
  install)
    if installed; then
      echo "[fuzz] schemathesis $SCHEMATHESIS_VERSION present ($BIN)"
      exit 0
    fi
    command -v python3 >/dev/null || { echo "[fuzz] ERROR: python3 is needed for schemathesis" >&2; exit 1; }
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
    installed || { echo "[fuzz] ERROR: schemathesis $SCHEMATHESIS_VERSION did not install" >&2; exit 1; }
    echo "[fuzz] installed schemathesis $SCHEMATHESIS_VERSION ($BIN)"
    ;;
  path) echo "$BIN" ;;
  *)
    echo "usage: bash deploy/local/fuzz.sh install|path" >&2
    exit 2
    ;;
esac
