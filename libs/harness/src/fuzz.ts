import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from './services';

/** The schemathesis executable `bash deploy/local/fuzz.sh install` puts in place. */
export const SCHEMATHESIS = join(WORKSPACE_ROOT, '.infra', 'fuzz', 'venv', 'bin', 'schemathesis');

export interface FuzzOptions {
  /** Test cases per operation in the random phase (the coverage and stateful phases add their own). */
  maxExamples: number;
  seed: number;
  /** Where the HAR record of every request goes; removed first. */
  reportDir: string;
  /** Stop after this many seconds (schemathesis' own budget); default: none. */
  maxSeconds?: number;
  /** An API key sent with every request (an admin key with a high rate limit reaches every route). */
  apiKey?: string;
}

export interface FuzzResult {
  /** The OpenAPI document fuzzed. */
  spec: string;
  requests: number;
  byStatus: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Every response >= 500, as `METHOD path -> status`. */
  serverErrors: string[];
  /** schemathesis' exit code: 0 when no check failed. */
  exitCode: number;
  /** Its last lines (the summary), for a failure message. */
  summary: string;
  seconds: number;
}

interface HarEntry {
  request: { method: string; url: string };
  response: { status: number };
}

/**
 * Fuzzes a running service from its OpenAPI document (`<url>/docs/openapi.json`) with schemathesis: every operation,
 * valid and invalid inputs, the check being that no response is a server error. Counts the responses from the HAR
 * report, so a run says how much it really sent.
 */
export async function fuzzOpenApi(serviceUrl: string, options: FuzzOptions): Promise<FuzzResult> {
  if (!existsSync(SCHEMATHESIS)) throw new Error(`${SCHEMATHESIS} is missing: run bash deploy/local/fuzz.sh install`);
  rmSync(options.reportDir, { recursive: true, force: true });
  mkdirSync(options.reportDir, { recursive: true });
  const har = join(options.reportDir, 'requests.har');
  const spec = `${serviceUrl}/docs/openapi.json`;
  const args = [
    'run',
    spec,
    '--checks',
    'not_a_server_error',
    '--max-examples',
    String(options.maxExamples),
    '--seed',
    String(options.seed),
    '--workers',
    '1',
    '--generation-database',
    'none',
    '--report',
    'har',
    '--report-har-path',
    har,
    ...(options.maxSeconds ? ['--max-time', String(options.maxSeconds)] : []),
    ...(options.apiKey ? ['--header', `Authorization: Bearer ${options.apiKey}`] : []),
  ];
  const started = Date.now();
  let exitCode = 0;
  let output = '';
  try {
    const done = await promisify(execFile)(SCHEMATHESIS, args, {
      maxBuffer: 64 * 1024 * 1024,
      // Its own caches (`.schemathesis/`) land beside the report, not in the working tree.
      cwd: options.reportDir,
      env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' },
    });
    output = done.stdout + done.stderr;
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    exitCode = failed.code;
    output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
  }
  const entries: HarEntry[] = existsSync(har)
    ? (JSON.parse(readFileSync(har, 'utf8')) as { log: { entries: HarEntry[] } }).log.entries
    : [];
  const byStatus = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  const serverErrors: string[] = [];
  for (const { request, response } of entries) {
    const status = response.status;
    if (status >= 500) {
      byStatus['5xx']++;
      serverErrors.push(`${request.method} ${new URL(request.url).pathname} -> ${status}`);
    } else if (status >= 400) byStatus['4xx']++;
    else if (status >= 300) byStatus['3xx']++;
    else if (status >= 200) byStatus['2xx']++;
  }
  return {
    spec,
    requests: entries.length,
    byStatus,
    serverErrors,
    exitCode,
    summary: output.trim().split('\n').slice(-40).join('\n'),
    seconds: (Date.now() - started) / 1000,
  };
}
