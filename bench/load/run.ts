/**
 * Load for the benchmarks, always from a process of its own (its work must not share a thread with what it
 * measures): closed loop at full speed by autocannon (`autocannon-run.ts`, no `rate`), or open loop at a fixed rate
 * (`open-loop.ts`, with `rate`).
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface LoadConfig {
  url: string;
  /** Request paths, taken round-robin (one per request). */
  paths: string[];
  method?: 'GET' | 'POST';
  /** Request bodies, one per path (POST). */
  bodies?: string[];
  headers: Record<string, string>;
  /** Connections (closed loop), or the most open at once (fixed rate). */
  connections: number;
  seconds: number;
  /** Requests/s over all connections, sent on schedule (open loop); without it, closed loop at full speed. */
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

const run = promisify(execFile);
let runs = 0;

export async function runLoad(config: LoadConfig): Promise<LoadResult> {
  const file = join(tmpdir(), `cvp-load-${process.pid}-${runs++}.json`);
  writeFileSync(file, JSON.stringify(config));
  try {
    const script = config.rate === undefined ? 'autocannon-run.ts' : 'open-loop.ts';
    const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', join(__dirname, script), file], {
      cwd: join(__dirname, '..', '..'),
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult;
  } finally {
    rmSync(file, { force: true });
  }
}
