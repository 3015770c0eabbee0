/**
 * The fixed-rate load generator of the benchmarks, run as a process of its own so its work does not share a thread
 * with what it measures: `node -r @swc-node/register bench/load/open-loop.ts <config.json>` (started by
 * `runLoad` in bench/load/run.ts). Open loop, as wrk2 does it: request i is due at start + i / rate, sent then whether
 * or not earlier ones have answered, and timed from when it was due to its last byte, so a stall of the server (or of
 * this process) counts for every request it delays. Keep-alive connections, at most `connections` at once; a request
 * that finds them all busy waits for one, and that wait is part of its latency. Prints one JSON line (LoadResult).
 *
 * Why not autocannon's `overallRate`: each of its connections sends back to back until it has made its share of the
 * second, then waits for the next second (a burst at the top of every second, not a rate), and it "corrects" latencies
 * with an expected interval of ⌈1 / rate⌉ = 1 ms, adding a sample for every millisecond a slow answer took: its p99 at
 * a fixed rate says more about the bursts than about the server. It stays the closed-loop generator (autocannon-run.ts).
 */
import { Agent, request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import type { LoadConfig, LoadResult } from './run';

/** The value at quantile q of ascending values (nearest rank), 0 when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function summarise(
  latencies: number[],
  outcome: { total: number; seconds: number; ok: number; non2xx: number; errors: number },
): LoadResult {
  latencies.sort((a, b) => a - b);
  const ms = (x: number) => Math.round(x * 100) / 100;
  return {
    requestsPerSecond: Math.round(outcome.total / outcome.seconds),
    p50Ms: ms(quantile(latencies, 0.5)),
    p90Ms: ms(quantile(latencies, 0.9)),
    p99Ms: ms(quantile(latencies, 0.99)),
    maxMs: ms(latencies.at(-1) ?? 0),
    total: outcome.total,
    ok: outcome.ok,
    non2xx: outcome.non2xx,
    errors: outcome.errors,
    timeouts: 0,
  };
}

export async function openLoop(config: LoadConfig): Promise<LoadResult> {
  const { rate, seconds, connections } = config;
  if (!(rate && rate > 0)) throw new RangeError('an open loop needs a rate (requests/s) above 0');
  const base = new URL(config.url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const method = config.method ?? 'GET';
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const send = (i: number, due: number) =>
    new Promise<void>((resolve) => {
      const at = i % config.paths.length;
      const body = config.bodies?.[at];
      // A path may be a whole URL (requests spread over several servers).
      const target = new URL(config.paths[at], base);
      const request = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method,
          path: `${target.pathname}${target.search}`,
          headers:
            body === undefined ? config.headers : { ...config.headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.on('data', () => undefined);
          response.on('end', () => {
            latencies.push(performance.now() - due);
            if (response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300) ok++;
            else non2xx++;
            resolve();
          });
          response.on('error', () => {
            errors++;
            resolve();
          });
        },
      );
      request.on('error', () => {
        errors++;
        resolve();
      });
      request.end(body);
    });
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    // Timers are late by up to a millisecond or so; the lateness is measured, since latency runs from `due`.
    if (wait > 0.5) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(i, due));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return summarise(latencies, { total, seconds: elapsed, ok, non2xx, errors });
}

if (require.main === module) {
  const config = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadConfig;
  openLoop(config).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
