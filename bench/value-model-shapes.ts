/**
 * The value model on logs of other shapes than the two the issue measures: customers drawn at random from the shared
 * datasets (150 to 1,500), a counts-only log (every purchase worth 1), four months of one shop, a year of another. Each
 * log runs `evaluate` (the trainer's own run with the cutoff as its "now", as `cvp evaluate` does) and is read as a data
 * scientist would: the served model against the best outside peer per metric, and its total against the actual.
 *   node -r @swc-node/register bench/value-model-shapes.ts [--seed 1] [--only cdnow-150,or1-4months]
 * Needs ../shared/datasets (CDNOW sample and master, Online Retail I and II) and no infrastructure; ~4 minutes on this
 * project's 2-core machine. Writes reports/bench/value-model-shapes.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClickstreamEvent } from '@cvp/contracts';
import { DATASET_FORMATS, openDataset, seededRandom } from '@cvp/datasets';
import { evaluate, OUTSIDE_PEERS, type EvaluationMetrics } from '@cvp/model';

const { values: args } = parseArgs({
  options: { seed: { type: 'string', default: '1' }, only: { type: 'string' } },
});
const seed = Number(args.seed);
if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got ${args.seed}`);
const only = args.only ? new Set(args.only.split(',')) : null;

const SHARED = resolve(__dirname, '..', '..', 'shared', 'datasets');
const SOURCES = {
  cdnow: { format: 'cdnow', path: join(SHARED, 'cdnow', 'CDNOW_sample.txt') },
  cdnowMaster: { format: 'cdnow', path: join(SHARED, 'cdnow', 'CDNOW_master.txt') },
  or1: { format: 'online-retail', path: join(SHARED, 'online_retail', 'online_retail_I.csv.gz') },
  or2: { format: 'online-retail', path: join(SHARED, 'online_retail', 'online_retail_II_2009_2010.csv.gz') },
} as const satisfies Record<string, { format: (typeof DATASET_FORMATS)[number]; path: string }>;
type Source = keyof typeof SOURCES;

/** A log derived from a source: which customers, which span, and the protocol it is evaluated on. */
interface Shape {
  name: string;
  source: Source;
  /** Customers drawn at random (seeded by `draw`) among those with a purchase; all when absent. */
  customers?: number;
  draw?: number;
  /** Events kept: [from, to) (ISO days); all when absent. */
  span?: [string, string];
  /** Every purchase worth 1 (a log of counts, as some retailers keep). */
  countsOnly?: boolean;
  cutoff: string;
  horizonDays: number;
}

const CDNOW = { cutoff: '1997-10-01', horizonDays: 273 };
const OR1 = { cutoff: '2011-06-01', horizonDays: 190 };
const SHAPES: Shape[] = [
  ...[150, 300, 600].flatMap((customers) =>
    [1, 2, 3].map((draw): Shape => ({
      name: `cdnow-${customers}-${draw}`,
      source: 'cdnow',
      customers,
      draw,
      ...CDNOW,
    })),
  ),
  ...[1, 2].map((draw): Shape => ({
    name: `cdnow-counts-1500-${draw}`,
    source: 'cdnowMaster',
    customers: 1500,
    draw,
    countsOnly: true,
    ...CDNOW,
  })),
  ...[300, 1000].flatMap((customers) =>
    [1, 2].map((draw): Shape => ({ name: `or1-${customers}-${draw}`, source: 'or1', customers, draw, ...OR1 })),
  ),
  { name: 'or1-4-months', source: 'or1', span: ['2011-08-01', '2011-12-01'], cutoff: '2011-10-16', horizonDays: 45 },
  { name: 'or2-year', source: 'or2', cutoff: '2010-07-01', horizonDays: 150 },
];

const METRICS = ['gini', 'spearman', 'top10Capture', 'auc'] as const;

async function load(source: Source): Promise<ClickstreamEvent[]> {
  const { format, path } = SOURCES[source];
  const events: ClickstreamEvent[] = [];
  for await (const event of openDataset(format, path).events) events.push(event);
  return events;
}

function derive(events: readonly ClickstreamEvent[], shape: Shape): ClickstreamEvent[] {
  let kept = [...events];
  if (shape.span) {
    const [from, to] = shape.span.map((day) => Date.parse(`${day}T00:00:00Z`));
    kept = kept.filter((event) => {
      const ms = Date.parse(event.occurredAt);
      return ms >= from && ms < to;
    });
  }
  if (shape.customers !== undefined) {
    const buyers = [...new Set(kept.filter((e) => e.type === 'purchase').map((e) => e.customerId))].sort();
    const random = seededRandom(1000 * (shape.draw ?? 1) + shape.customers);
    for (let i = buyers.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [buyers[i], buyers[j]] = [buyers[j], buyers[i]];
    }
    const drawn = new Set(buyers.slice(0, shape.customers));
    kept = kept.filter((event) => drawn.has(event.customerId));
  }
  if (shape.countsOnly) {
    kept = kept.map((event) =>
      event.type === 'purchase'
        ? { ...event, total: 1, items: [{ ...event.items[0], quantity: 1, unitPrice: 1 }] }
        : event,
    );
  }
  return kept;
}

interface Row {
  log: string;
  customers: number;
  served: string;
  /** Per metric: the served model's figure, the best outside peer's, and that peer. */
  metrics: Record<(typeof METRICS)[number], { served: number; peer: number; peerName: string }>;
  totalRatio: number;
  seconds: number;
}

async function main(): Promise<void> {
  const shapes = SHAPES.filter((shape) => !only || only.has(shape.name));
  const cache = new Map<Source, ClickstreamEvent[]>();
  const rows: Row[] = [];
  for (const shape of shapes) {
    if (!cache.has(shape.source)) cache.set(shape.source, await load(shape.source));
    const events = derive(cache.get(shape.source) ?? [], shape);
    const started = performance.now();
    const run = await evaluate({
      events,
      cutoff: new Date(`${shape.cutoff}T00:00:00Z`),
      horizonDays: shape.horizonDays,
      seed,
      dataset: shape.name,
      bootstrap: 0,
    });
    run.trained.model.dispose();
    const { models, served, customers } = run.result;
    const best = (metric: (typeof METRICS)[number]) =>
      OUTSIDE_PEERS.map((peer) => ({ peer, value: (models[peer] as EvaluationMetrics)[metric] })).reduce((a, b) =>
        b.value > a.value ? b : a,
      );
    const row: Row = {
      log: shape.name,
      customers,
      served,
      metrics: Object.fromEntries(
        METRICS.map((metric) => {
          const peer = best(metric);
          return [metric, { served: models[served][metric], peer: peer.value, peerName: peer.peer }];
        }),
      ) as Row['metrics'],
      totalRatio: models[served].totalRatio,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    rows.push(row);
    const cells = METRICS.map((metric) => {
      const { served: mine, peer } = row.metrics[metric];
      return `${mine.toFixed(3)} ${mine > peer ? '>' : '≤'} ${peer.toFixed(3)}`;
    });
    console.log(
      `| ${row.log} | ${customers} | ${served} | ${cells.join(' | ')} | ${row.totalRatio.toFixed(2)} | ${row.seconds} |`,
    );
  }
  const wins = Object.fromEntries(
    METRICS.map((metric) => [
      metric,
      rows.filter((row) => row.metrics[metric].served > row.metrics[metric].peer).length,
    ]),
  );
  const withinTen = rows.filter((row) => Math.abs(Math.log(row.totalRatio)) <= Math.log(1.1)).length;
  console.log(
    `served above the best outside peer, of ${rows.length} logs: ` +
      METRICS.map((metric) => `${metric} ${wins[metric]}`).join(', ') +
      `; total within ±10%: ${withinTen}`,
  );
  const dir = join(__dirname, '..', 'reports', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'value-model-shapes.json'), `${JSON.stringify({ seed, rows, wins, withinTen }, null, 2)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
