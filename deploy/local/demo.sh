#!/usr/bin/env bash
# The main job, on a fresh clone (after `npm ci`): bring up Kafka, PostgreSQL and Redis, start the five
# services, stream a seeded synthetic clickstream through ingest, and print what came out: scores by tier
# (Redis) and campaign decisions (PostgreSQL, cvp.decisions.v1).
# The clickstream goes in two parts around DEMO_TRAIN_UNTIL: the history, then a training run (the trainer publishes
# the model, the scorer swaps it in), then the rest, scored by the model.
#   DEMO_CUSTOMERS (500), DEMO_SEED (42), DEMO_TRAIN_UNTIL (2026-08-01); DEMO_KEEP_RUNNING=1 leaves the services up.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/local/env.sh
CUSTOMERS="${DEMO_CUSTOMERS:-500}"
SEED="${DEMO_SEED:-42}"
TRAIN_UNTIL="${DEMO_TRAIN_UNTIL:-2026-08-01}"
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

PIPELINE_GROUPS=cvp-features,cvp-trainer,cvp-scorer,cvp-campaigns
echo "[demo] 1/3: the clickstream before $TRAIN_UNTIL (scored by the RFM heuristic: no model yet)"
node dist/tools/cli/main.js simulate --customers "$CUSTOMERS" --seed "$SEED" --send-before "$TRAIN_UNTIL"
node dist/tools/cli/main.js wait-idle --groups "$PIPELINE_GROUPS"
echo "[demo] 2/3: training the value model on the stored events (published only if it beats the current one)"
node dist/tools/cli/main.js train --seed "$SEED" --to "$TRAIN_UNTIL"
echo "[demo] 3/3: the clickstream from $TRAIN_UNTIL on, scored by the published model"
node dist/tools/cli/main.js simulate --customers "$CUSTOMERS" --seed "$SEED" --send-from "$TRAIN_UNTIL"
echo "[demo] waiting for the pipeline to catch up ..."
node dist/tools/cli/main.js wait-idle --groups "$PIPELINE_GROUPS"
node dist/tools/cli/main.js summary --prefix "syn-$SEED-"
echo "[demo] a score over the API:"
curl -fsS "http://127.0.0.1:3004/v1/customers/syn-$SEED-000001/score" || true
echo
