/**
 * The closed-loop load generator of the benchmarks, run as a process of its own so its work does not share a thread
 * with what it measures: `node -r @swc-node/register bench/load/autocannon-run.ts <config.json>` (started by
 * `runLoad` in bench/load/run.ts): `connections` connections, each sending its next request when the last one
 * answered, for `seconds`. Fixed rates go to open-loop.ts (autocannon's rate is a burst each second). Prints one JSON
 * line with the figures.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import type { LoadConfig, LoadResult } from './run';

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadConfig;
  let next = 0;
  const result = await autocannon({
    url: config.url,
    connections: config.connections,
    duration: config.seconds,
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
