/**
 * Training benchmark of the ZILN model per TensorFlow.js backend (pure-JavaScript cpu, wasm, tensorflow = the native
 * tfjs-node / tfjs-node-gpu that `npm run tf:native` builds), each backend in a process of its own, same seed:
 *   node -r @swc-node/register bench/train-backends.ts
 *   node -r @swc-node/register bench/train-backends.ts --backends wasm,tensorflow --customers 200000
 *
 * - Online Retail I: `evaluate()` as in the lib README (cutoff 2011-06-01, 182-day holdout, seed 42): training to
 *   convergence (early stopping, patience 10), best validation loss, Gini of the ZILN predictions on the holdout.
 * - Synthetic: `--customers` (1,000,000) customers drawn row by row by a seeded generator below (feature rows and
 *   spend labels directly, not through the event path, which would take far longer at this size); 10% are the
 *   held-out test set; batch `--batch-size` (1024: 703 steps an epoch instead of 2,813 at the default 256). Every
 *   backend trains `--epochs` (2) epochs with no early stopping: ms/epoch, validation loss and test Gini after the
 *   same epochs. The backends of `--converge` (tensorflow) then train to convergence (patience 3, at most
 *   `--max-epochs` 20); for the others the time to convergence is estimated as that many epochs times their ms/epoch
 *   (marked ≈; same seed, the backends follow the same loss curve).
 * A backend that is not installed is reported as such. Prints a markdown table; never gates anything.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset } from '@cvp/datasets';
import { FEATURE_NAMES } from '@cvp/features';
import {
  evaluate,
  normalizedGini,
  sampleNormal,
  seededRandom,
  selectBackend,
  trainZiln,
  type BackendPreference,
  type EpochRecord,
} from '@cvp/model';

const ONLINE_RETAIL = resolve(__dirname, '..', '..', 'shared', 'datasets', 'online_retail', 'online_retail_I.csv.gz');
const SEED = 42;
const BACKENDS: BackendPreference[] = ['cpu', 'wasm', 'tensorflow'];

interface Measurement {
  dataset: string;
  requested: string;
  /** The backend that ran, with the native package (`tensorflow (tfjs-node)`), or null when unavailable. */
  backend: string | null;
  trainCustomers: number;
  epochsRun: number;
  bestEpoch: number;
  msPerEpoch: number;
  trainSeconds: number;
  bestValidationLoss: number;
  heldOutGini: number;
  /** Synthetic only: the run to convergence (early stopping). */
  converged?: {
    epochsRun: number;
    bestEpoch: number;
    seconds: number;
    bestValidationLoss: number;
    heldOutGini: number;
  };
  note?: string;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const bestLoss = (history: EpochRecord[]) => Math.min(...history.map((record) => record.validationLoss));

/** Selects the backend through the project's one chooser, and says which native package runs. */
async function useBackend(requested: BackendPreference): Promise<string | null> {
  let line = '';
  const chosen = await selectBackend(requested, (text) => {
    line = text;
    process.stderr.write(`${text}\n`);
  });
  if (chosen !== requested) return null;
  const detail = /\((tfjs-node[^)]*)\)/.exec(line)?.[1];
  return detail ? `${chosen} (${detail})` : chosen;
}

async function onlineRetail(requested: BackendPreference): Promise<Measurement> {
  const dataset = openDataset('online-retail', ONLINE_RETAIL);
  const events: ClickstreamEvent[] = [];
  for await (const event of dataset.events) events.push(event);
  const backend = await useBackend(requested);
  const base = { dataset: 'Online Retail I', requested };
  if (!backend) return unavailable(base);
  const history: EpochRecord[] = [];
  const run = await evaluate({
    events,
    cutoff: new Date('2011-06-01T00:00:00Z'),
    horizonDays: 182,
    seed: SEED,
    backend: requested,
    onEpoch: (record) => history.push(record),
  });
  run.trained.model.dispose();
  const { training, models } = run.result;
  return {
    ...base,
    backend,
    trainCustomers: training.examples,
    epochsRun: training.epochsRun,
    bestEpoch: training.epochs,
    msPerEpoch: training.msPerEpoch,
    trainSeconds: training.trainMs / 1000,
    bestValidationLoss: bestLoss(history),
    heldOutGini: models['cvp-ziln'].gini,
  };
}

const unavailable = (base: { dataset: string; requested: string }): Measurement => ({
  ...base,
  backend: null,
  trainCustomers: 0,
  epochsRun: 0,
  bestEpoch: 0,
  msPerEpoch: NaN,
  trainSeconds: NaN,
  bestValidationLoss: NaN,
  heldOutGini: NaN,
  note: 'not available (native: npm run tf:native)',
});

/**
 * Seeded customers in FEATURE_NAMES order, with a ZILN spend label: three latent traits (purchase propensity, spend
 * level, browsing activity) drive the purchase, money, activity and review features; the label is a purchase with
 * probability sigmoid(propensity-driven logit, lowered by recency), of a lognormal amount around the spend level.
 */
export function syntheticCustomers(count: number, seed: number): { rows: number[][]; labels: number[] } {
  const random = seededRandom(seed);
  const normal = () => sampleNormal(random);
  const rows: number[][] = new Array(count);
  const labels: number[] = new Array(count);
  const { exp, floor, max, min, log1p } = Math;
  for (let i = 0; i < count; i++) {
    const propensity = normal();
    const level = normal();
    const activity = 0.6 * propensity + 0.8 * normal();
    const tenureDays = floor(30 + 700 * random());
    const frequency = max(1, floor(exp(0.8 + 0.7 * propensity + 0.3 * normal())));
    const recencyDays = min(tenureDays, floor(exp(4 - 0.8 * propensity + 0.6 * normal())));
    const monetaryMean = exp(3 + 0.8 * level + 0.2 * normal());
    const monetaryTotal = monetaryMean * frequency;
    const yearShare = min(1, 365 / tenureDays);
    const orders365d = floor(frequency * yearShare * (0.6 + 0.4 * random()));
    const orders90d = floor(orders365d * (0.15 + 0.2 * random()));
    const orders30d = floor(orders90d * (0.2 + 0.3 * random()));
    const interPurchaseMeanDays = frequency > 1 ? (tenureDays - recencyDays) / (frequency - 1) : 0;
    const events30d = floor(exp(2 + 0.8 * activity + 0.3 * normal()));
    const pageViews = floor(events30d * (3 + 2 * random()));
    const productViews = floor(pageViews * (0.4 + 0.3 * random()));
    const cartAdds = floor(productViews * (0.1 + 0.1 * random()));
    const checkouts = min(cartAdds, frequency + floor(2 * random()));
    const refundCount = random() < 0.1 ? 1 + floor(2 * random()) : 0;
    const refundAmount = refundCount * monetaryMean * (0.3 + 0.5 * random());
    const reviewCount = random() < 0.2 ? 1 + floor(4 * random()) : 0;
    const weekdays = Array.from({ length: 7 }, () => random());
    const hours = Array.from({ length: 6 }, () => random());
    const weekdaySum = weekdays.reduce((sum, x) => sum + x, 0);
    const hourSum = hours.reduce((sum, x) => sum + x, 0);
    const row = [
      recencyDays, // recencyDays
      max(0, recencyDays - floor(10 * random())), // daysSinceLastEvent
      tenureDays, // daysSinceFirstEvent
      tenureDays, // tenureDays
      frequency,
      monetaryTotal,
      monetaryMean,
      monetaryMean * (1 + random()), // maxOrderValue
      interPurchaseMeanDays,
      interPurchaseMeanDays * 0.5 * random(), // interPurchaseStdDays
      orders30d * monetaryMean, // spend30d
      orders90d * monetaryMean, // spend90d
      orders365d * monetaryMean, // spend365d
      orders30d,
      orders90d,
      orders365d,
      orders90d > 0 ? (orders30d * 3) / orders90d - 1 : 0, // spendTrend90d
      events30d,
      0.3 * normal(), // activityTrend30d
      floor(frequency * (2 + 3 * random())), // distinctProducts
      1 + floor(frequency * random()), // distinctCategories
      2 + 4 * random(), // basketSizeMean
      refundCount,
      refundAmount,
      refundCount / frequency, // refundRate
      refundAmount / (monetaryTotal + refundAmount), // refundAmountShare
      events30d * 4 + frequency, // eventCount
      floor(events30d / 3) + frequency, // sessions
      pageViews,
      productViews,
      cartAdds,
      floor(cartAdds * 0.3 * random()), // cartRemoves
      checkouts,
      productViews > 0 ? frequency / (productViews + frequency) : 0, // viewToPurchaseRate
      cartAdds > 0 ? min(1, checkouts / cartAdds) : 0, // cartToPurchaseRate
      reviewCount,
      reviewCount > 0 ? 1 + 4 * random() : 0, // meanRating
      reviewCount > 0 ? normal() * 0.5 : 0, // reviewSentimentMean
      reviewCount > 0 ? random() * 0.5 : 0, // negativeReviewShare
      reviewCount > 0 ? normal() * 0.5 : 0, // recentReviewSentiment
      reviewCount > 0 ? random() : 0, // modelReadReviewShare
      ...weekdays.map((x) => x / weekdaySum),
      ...hours.map((x) => x / hourSum),
    ];
    rows[i] = row;
    const logit = -0.5 + 1.2 * propensity + 0.4 * activity - 0.6 * log1p(recencyDays / 30) + 0.3 * normal();
    labels[i] = random() < 1 / (1 + exp(-logit)) ? exp(log1p(orders90d) * 0.5 + 3 + 0.8 * level + 0.6 * normal()) : 0;
  }
  if (rows[0].length !== FEATURE_NAMES.length) throw new Error(`generator gives ${rows[0].length} features`);
  return { rows, labels };
}

async function synthetic(
  requested: BackendPreference,
  customers: number,
  epochs: number,
  converge: boolean,
  maxEpochs: number,
  batchSize: number,
): Promise<Measurement> {
  const base = { dataset: `synthetic ${customers.toLocaleString('en')}, batch ${batchSize}`, requested };
  const backend = await useBackend(requested);
  if (!backend) return unavailable(base);
  const { rows, labels } = syntheticCustomers(customers, SEED);
  const testStart = Math.floor(customers * 0.9);
  const trainRows = rows.slice(0, testStart);
  const trainLabels = labels.slice(0, testStart);
  const testRows = rows.slice(testStart);
  const testLabels = labels.slice(testStart);
  const train = async (options: { maxEpochs: number; patience: number }) => {
    const started = performance.now();
    const { model, info } = await trainZiln(trainRows, trainLabels, FEATURE_NAMES, {
      seed: SEED,
      batchSize,
      ...options,
    });
    const seconds = (performance.now() - started) / 1000;
    const predictions = model.predict(testRows).map((prediction) => prediction.expectedSpend);
    model.dispose();
    return { info, seconds, gini: normalizedGini(testLabels, predictions) };
  };
  // Fixed epochs, no early stopping (patience beyond them): the per-epoch time and the quality after those epochs.
  const fixed = await train({ maxEpochs: epochs, patience: epochs + 1 });
  const measurement: Measurement = {
    ...base,
    backend,
    trainCustomers: fixed.info.trainCustomers,
    epochsRun: fixed.info.epochsRun,
    bestEpoch: fixed.info.bestEpoch,
    msPerEpoch: fixed.info.msPerEpoch,
    trainSeconds: fixed.seconds,
    bestValidationLoss: bestLoss(fixed.info.history),
    heldOutGini: fixed.gini,
  };
  if (converge) {
    const run = await train({ maxEpochs, patience: 3 });
    measurement.converged = {
      epochsRun: run.info.epochsRun,
      bestEpoch: run.info.bestEpoch,
      seconds: run.seconds,
      bestValidationLoss: bestLoss(run.info.history),
      heldOutGini: run.gini,
    };
  }
  return measurement;
}

/** Each backend in a process of its own: TensorFlow.js cannot cleanly switch backends inside one. */
function runInChild(args: string[]): Measurement {
  const out = execFileSync(process.execPath, ['-r', '@swc-node/register', __filename, ...args, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2' },
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as Measurement;
}

const seconds = (value: number) => (Number.isFinite(value) ? `${round(value, 1)} s` : '–');

function table(results: Measurement[], epochs: number): string {
  const lines = [
    '| dataset | backend | training customers | ms / epoch | epochs run (best) | time to convergence | best validation loss | held-out Gini |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const dataset of [...new Set(results.map((r) => r.dataset))]) {
    const rows = results.filter((r) => r.dataset === dataset);
    const converged = rows.find((r) => r.converged)?.converged;
    for (const r of rows) {
      if (!r.backend) {
        lines.push(`| ${dataset} | ${r.requested} | – | – | – | – | – | ${r.note} |`);
        continue;
      }
      const isSynthetic = dataset.startsWith('synthetic');
      const ms = `${Math.round(r.msPerEpoch).toLocaleString('en')}`;
      if (!isSynthetic) {
        lines.push(
          `| ${dataset} | ${r.backend} | ${r.trainCustomers.toLocaleString('en')} | ${ms} | ${r.epochsRun} (${r.bestEpoch}) | ${seconds(r.trainSeconds)} | ${round(r.bestValidationLoss, 4)} | ${round(r.heldOutGini, 4)} |`,
        );
        continue;
      }
      const toConvergence = r.converged
        ? `${seconds(r.converged.seconds)}: ${r.converged.epochsRun} epochs (best ${r.converged.bestEpoch}), loss ${round(r.converged.bestValidationLoss, 4)}, Gini ${round(r.converged.heldOutGini, 4)}`
        : converged
          ? `≈ ${seconds((converged.epochsRun * r.msPerEpoch) / 1000)} (${converged.epochsRun} epochs × ms/epoch)`
          : '–';
      lines.push(
        `| ${dataset} | ${r.backend} | ${r.trainCustomers.toLocaleString('en')} | ${ms} | ${r.epochsRun} of ${epochs} fixed | ${toConvergence} | ${round(r.bestValidationLoss, 4)} after ${epochs} | ${round(r.heldOutGini, 4)} after ${epochs} |`,
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      backend: { type: 'string' },
      backends: { type: 'string', default: BACKENDS.join(',') },
      customers: { type: 'string', default: '1000000' },
      epochs: { type: 'string', default: '2' },
      converge: { type: 'string', default: 'tensorflow' },
      'max-epochs': { type: 'string', default: '20' },
      'batch-size': { type: 'string', default: '1024' },
      datasets: { type: 'string', default: 'online-retail,synthetic' },
      json: { type: 'boolean' },
    },
  });
  const customers = Number(values.customers);
  const epochs = Number(values.epochs);
  const maxEpochs = Number(values['max-epochs']);
  const batchSize = Number(values['batch-size']);
  const converge = values.converge.split(',').filter(Boolean);
  if (values.child && values.backend && values.json) {
    const backend = values.backend as BackendPreference;
    const result =
      values.child === 'online-retail'
        ? await onlineRetail(backend)
        : await synthetic(backend, customers, epochs, converge.includes(backend), maxEpochs, batchSize);
    console.log(JSON.stringify(result));
    return;
  }
  const backends = values.backends.split(',') as BackendPreference[];
  const datasets = values.datasets.split(',');
  if (datasets.includes('online-retail') && !existsSync(ONLINE_RETAIL)) {
    throw new Error(`dataset not found: ${ONLINE_RETAIL}`);
  }
  const started = performance.now();
  const results: Measurement[] = [];
  for (const dataset of datasets) {
    for (const backend of backends) {
      const args = ['--child', dataset, '--backend', backend, '--customers', `${customers}`, '--epochs', `${epochs}`];
      args.push('--batch-size', `${batchSize}`);
      results.push(runInChild([...args, '--converge', converge.join(','), '--max-epochs', `${maxEpochs}`]));
    }
  }
  const argv = process.argv.slice(2).join(' ');
  console.log(
    `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), seed ${SEED}; ` +
      `${round((performance.now() - started) / 60_000, 1)} min, load average ${loadavg()
        .map((x) => round(x, 1))
        .join(' ')} at the end; command: node -r @swc-node/register bench/train-backends.ts${argv ? ` ${argv}` : ''}\n`,
  );
  console.log(table(results, epochs));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
