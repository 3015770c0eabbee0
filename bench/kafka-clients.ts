/**
 * The online pipeline benchmark once per Kafka client library (KAFKA_CLIENT), same load, side by side:
 *   npm run infra:up && npm run build && node -r @swc-node/register bench/kafka-clients.ts [--rounds R] [-- ARGS]
 * ARGS go to bench/online-pipeline.ts as they are (say `--limit 100000`). Each run is a child process with
 * KAFKA_CLIENT=<client>; the ingest and features services the harness starts inherit it. With --rounds R > 1 the
 * clients take turns (A B, B A, ...) so drift on a shared machine falls on both, and the table shows medians.
 * Reads the JSON each run writes (the newest reports/bench/online-pipeline*.json, written after the run started),
 * prints one markdown table and writes reports/bench/kafka-clients.json. Never gates anything.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KAFKA_CLIENT_KINDS, isKafkaClientKind, type KafkaClientKind } from '@cvp/kafka';

const ROOT = resolve(__dirname, '..');
const REPORTS = join(ROOT, 'reports', 'bench');

const { values: options, positionals: pipelineArgs } = parseArgs({
  allowPositionals: true,
  options: {
    clients: { type: 'string', default: KAFKA_CLIENT_KINDS.join(',') },
    rounds: { type: 'string', default: '1' },
  },
});

type Metrics = Record<string, number | string>;

/** The newest online-pipeline report written at or after `since`, nested objects flattened (`cpuSeconds.ingest`). */
function readReport(since: number): Metrics {
  const newest = readdirSync(REPORTS)
    .filter((name) => name.startsWith('online-pipeline') && name.endsWith('.json'))
    .map((name) => ({ path: join(REPORTS, name), mtime: statSync(join(REPORTS, name)).mtimeMs }))
    .filter(({ mtime }) => mtime >= since)
    .sort((a, b) => b.mtime - a.mtime)[0];
  if (!newest) throw new Error(`no reports/bench/online-pipeline*.json written by this run`);
  const flat: Metrics = {};
  const walk = (value: unknown, prefix: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      for (const [key, inner] of Object.entries(value)) walk(inner, prefix ? `${prefix}.${key}` : key);
    else flat[prefix] = typeof value === 'number' ? value : JSON.stringify(value);
  };
  walk(JSON.parse(readFileSync(newest.path, 'utf8')), '');
  return flat;
}

function runOnce(client: KafkaClientKind): Metrics {
  const started = Date.now();
  const args = ['-r', '@swc-node/register', 'bench/online-pipeline.ts', ...pipelineArgs];
  console.error(`\n[kafka-clients] KAFKA_CLIENT=${client} node ${args.join(' ')}`);
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, KAFKA_CLIENT: client },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`the ${client} run failed (exit ${result.status ?? result.signal})`);
  return readReport(started - 1000);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function main(): void {
  const clients = options.clients.split(',').map((name) => name.trim());
  const unknown = clients.filter((name) => !isKafkaClientKind(name));
  if (unknown.length > 0) throw new Error(`unknown client(s) ${unknown.join(', ')}; known: ${KAFKA_CLIENT_KINDS}`);
  const rounds = Number(options.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');

  const runs = new Map<KafkaClientKind, Metrics[]>(clients.map((client) => [client as KafkaClientKind, []]));
  const runsOf = (client: KafkaClientKind) => runs.get(client) ?? [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? clients : [...clients].reverse();
    for (const client of order as KafkaClientKind[]) runsOf(client).push(runOnce(client));
  }

  const metrics = [...new Set([...runs.values()].flat().flatMap((run) => Object.keys(run)))].filter(
    (name) => name !== 'command',
  );
  const cell = (client: KafkaClientKind, metric: string) => {
    const values = runsOf(client).map((run) => run[metric]);
    if (values.every((value) => typeof value === 'number')) {
      const shown = median(values as number[]);
      return rounds > 1 ? `${shown} (${values.join(', ')})` : String(shown);
    }
    return [...new Set(values.map(String))].join(' / ');
  };
  const command = `node -r @swc-node/register bench/kafka-clients.ts --clients ${clients.join(',')} --rounds ${rounds}${
    pipelineArgs.length ? ` -- ${pipelineArgs.join(' ')}` : ''
  }`;
  console.log(`\n${command}`);
  console.log(
    `${cpus().length} CPU(s), load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(
        ' ',
      )}; ${rounds > 1 ? `median of ${rounds} runs each (the runs in brackets), clients taking turns` : 'one run each'}\n`,
  );
  console.log(`| metric | ${clients.join(' | ')} |`);
  console.log(`| --- |${clients.map(() => ' --- |').join('')}`);
  for (const metric of metrics)
    console.log(`| ${metric} | ${clients.map((client) => cell(client as KafkaClientKind, metric)).join(' | ')} |`);

  mkdirSync(REPORTS, { recursive: true });
  writeFileSync(
    join(REPORTS, 'kafka-clients.json'),
    JSON.stringify({ command, rounds, runs: Object.fromEntries(runs) }, null, 2),
  );
}

try {
  main();
} catch (error) {
  console.error(error);
  process.exit(1);
}
