/**
 * API fuzzing, the full run: schemathesis (`bash deploy/local/fuzz.sh install`) against every service's OpenAPI
 * document, on the local stack (`npm run infra:up && npm run db:migrate && npm run db:seed && npm run build`):
 *   node -r @swc-node/register bench/fuzz.ts [--max-examples 300] [--seed 1]
 * Starts the five services (own consumer groups) and the console, fuzzes each in turn (coverage, random and stateful phases; the
 * check: no response >= 500) and prints one row per service: requests sent, responses by class, server errors.
 * The end-to-end test runs the same with 15 examples per operation. Writes reports/bench/fuzz.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApiKey } from '@cvp/auth';
import { createPrismaClient } from '@cvp/db';
import {
  fuzzOpenApi,
  markdownTable,
  startService,
  stopService,
  waitUntilReady,
  WORKSPACE_ROOT,
  type FuzzResult,
  type RunningService,
  type ServiceName,
} from '@cvp/harness';

const { values: args } = parseArgs({
  options: {
    'max-examples': { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
  },
});
const RUN = `fuzz${Date.now().toString(36)}`;
const NAMES: ServiceName[] = ['ingest', 'features', 'trainer', 'scorer', 'campaigns'];

async function main(): Promise<void> {
  // Admin reaches every route; the fuzzer sends far more than an admin's default requests per second.
  const keysDb = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
  const { key } = await createApiKey(keysDb, {
    role: 'admin',
    name: `bench fuzz ${RUN}`,
    rateLimitPerSecond: 1_000_000,
  });
  await keysDb.$disconnect();
  const services: RunningService[] = NAMES.map((name) =>
    startService(
      name,
      {
        SCORE_CLOCK: 'event-time',
        SWEEP_INTERVAL_HOURS: '0',
        KAFKA_GROUP_ID: `cvp-${name}-${RUN}`,
        MODEL_STORE_DIR: join(WORKSPACE_ROOT, '.infra', `models-${RUN}`),
      },
      'fuzz',
    ),
  );
  // The console, its proxy pointed at these five (the fuzzer's requests through it reach them as any client's).
  const upstreams = Object.fromEntries(services.map((service) => [`${service.name.toUpperCase()}_URL`, service.url]));
  services.push(startService('console', upstreams, 'fuzz'));
  const results: (FuzzResult & { service: ServiceName })[] = [];
  try {
    await Promise.all(services.map((service) => waitUntilReady(service, 120_000)));
    for (const service of services) {
      const result = await fuzzOpenApi(service.url, {
        maxExamples: Number(args['max-examples']),
        seed: Number(args.seed),
        reportDir: join(WORKSPACE_ROOT, 'reports', 'bench', 'fuzz', service.name),
        apiKey: key,
      });
      results.push({ service: service.name, ...result });
      console.log(
        `${service.name}: ${result.requests} requests, ${result.byStatus['5xx']} >= 500, exit ${result.exitCode}`,
      );
      if (result.exitCode !== 0) console.log(result.summary);
    }
  } finally {
    await Promise.all(services.map((service) => stopService(service)));
  }
  console.log(
    `\n${markdownTable(
      ['service', 'requests', '2xx', '4xx', '>= 500', 'checks failed', 's'],
      results.map((r) => [
        r.service,
        r.requests,
        r.byStatus['2xx'],
        r.byStatus['4xx'],
        r.byStatus['5xx'],
        r.exitCode === 0 ? 0 : 'yes',
        Math.round(r.seconds),
      ]),
    )}`,
  );
  mkdirSync(join(WORKSPACE_ROOT, 'reports', 'bench'), { recursive: true });
  writeFileSync(
    join(WORKSPACE_ROOT, 'reports', 'bench', 'fuzz.json'),
    JSON.stringify({ run: RUN, maxExamples: Number(args['max-examples']), seed: Number(args.seed), results }, null, 2),
  );
  if (results.some((r) => r.exitCode !== 0 || r.serverErrors.length > 0)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
