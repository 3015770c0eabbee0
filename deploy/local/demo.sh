#!/usr/bin/env bash
# The main job, on a fresh clone (after `npm ci`): bring up Kafka, PostgreSQL and Redis, start the four
# services, stream a seeded synthetic clickstream through ingest, and print what came out: scores by tier
# (Redis) and campaign decisions (PostgreSQL, cvp.decisions.v1).
#   DEMO_CUSTOMERS (500), DEMO_SEED (42); DEMO_KEEP_RUNNING=1 leaves the services up afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/local/env.sh
CUSTOMERS="${DEMO_CUSTOMERS:-500}"
SEED="${DEMO_SEED:-42}"
LOGS="$ROOT/.infra/logs"

bash deploy/local/infra.sh up
npm run --silent db:migrate
npm run --silent db:seed
npm run --silent build

pids=()
stop_services() {
  [ "${DEMO_KEEP_RUNNING:-0}" = 1 ] && return
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "[demo] services stopped (logs in .infra/logs/demo-*.log)"
}
trap stop_services EXIT

mkdir -p "$LOGS"
for service in ingest features trainer scorer campaigns; do
  LOG_FORMAT=json node "dist/apps/$service/src/main.js" >"$LOGS/demo-$service.log" 2>&1 &
  pids+=("$!")
done
for port in 3001 3002 3003 3004 3005; do
  for _ in $(seq 1 180); do
    curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "[demo] service on :$port not ready, see $LOGS/demo-*.log" >&2; exit 1; }
done
echo "[demo] services ready: ingest :3001, features :3002, trainer :3003, scorer :3004, campaigns :3005"

node dist/tools/cli/main.js simulate --customers "$CUSTOMERS" --seed "$SEED"
echo "[demo] waiting for the pipeline to catch up ..."
node dist/tools/cli/main.js wait-idle --groups cvp-features,cvp-trainer,cvp-scorer,cvp-campaigns
node dist/tools/cli/main.js summary --prefix "syn-$SEED-"
echo "[demo] a score over the API:"
curl -fsS "http://127.0.0.1:3004/v1/customers/syn-$SEED-000001/score" || true
echo
