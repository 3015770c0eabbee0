/**
 * The load generator of the serving benchmark, run as a process of its own so its work does not share a thread with
 * what it measures: `node -r @swc-node/register bench/load/autocannon-run.ts <config.json>` (started by bench/serving.ts through
 * @swc-node/register). Closed loop at full speed (no `rate`), or a fixed rate (`rate`, requests/s over all
 * connections; autocannon then corrects latencies for coordinated omission). Prints one JSON line with the figures.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

export interface LoadConfig {
  url: string;
  /** Request paths, taken round-robin (one per request). */
  paths: string[];
  method?: 'GET' | 'POST';
  /** Request bodies, one per path (POST). */
  bodies?: string[];
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  rate?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadConfig;
  let next = 0;
  const result = await autocannon({
    url: config.url,
    connections: config.connections,
    duration: config.seconds,
    overallRate: config.rate,
    headers: config.headers,
    method: config.method ?? 'GET',
    requests: [
      {
        setupRequest: (request) => {
          const at = next++ % config.paths.length;
          request.path = config.paths[at];
          if (config.bodies) request.body = config.bodies[at];
          return request;
        },
      },
    ],
  });
  const out: LoadResult = {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    total: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
