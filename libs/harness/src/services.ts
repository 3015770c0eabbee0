import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The workspace root (the folder with nx.json), from source or from dist alike. */
export const WORKSPACE_ROOT = (() => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'nx.json'))) return dir;
  throw new Error('workspace root (nx.json) not found');
})();

/**
 * Runs the built services as separate processes for the end-to-end test and the benchmarks.
 */
export const PORTS = {
  ingest: 3101,
  features: 3102,
  trainer: 3103,
  scorer: 3104,
  campaigns: 3105,
  console: 3106,
} as const;
export type ServiceName = keyof typeof PORTS;

/**
 * Added to every port a service is started on, the default ones above and a `PORT` passed in alike, so that two
 * checkouts on one machine can run their end-to-end tests and benchmarks side by side (CVP_SERVICE_PORT_OFFSET=1000).
 */
export function servicePortOffset(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CVP_SERVICE_PORT_OFFSET ?? '0';
  const offset = Number(raw);
  if (!Number.isInteger(offset) || offset < 0 || offset > 60_000)
    throw new Error(`CVP_SERVICE_PORT_OFFSET must be an integer from 0 to 60000, not ${JSON.stringify(raw)}`);
  return offset;
}

export interface RunningService {
  name: ServiceName;
  process: ChildProcess;
  url: string;
  /** Exit code, or the signal that killed the process. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/**
 * Starts a built service (`npm run build` first) as its own process, logs to reports/<logFolder>/<name>.log;
 * `nodeArgs` go to node before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not take).
 */
export function startService(
  name: ServiceName,
  env: Record<string, string> = {},
  logFolder = 'e2e',
  nodeArgs: string[] = [],
  logName: string = name,
): RunningService {
  const logDir = join(WORKSPACE_ROOT, 'reports', logFolder);
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, `${logName}.log`), { flags: 'w' });
  const port = String(Number(env.PORT ?? PORTS[name]) + servicePortOffset());
  const child = spawn(process.execPath, [...nodeArgs, join(WORKSPACE_ROOT, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: WORKSPACE_ROOT,
    env: {
      ...process.env,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      ...env,
      PORT: port,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { name, process: child, url: `http://127.0.0.1:${port}`, exited };
}

export async function waitUntilReady(service: RunningService, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | NodeJS.Signals | null | undefined;
  void service.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(`${service.name} exited with ${exitCode}; see reports/<run>/${service.name}.log`);
    try {
      const response = await fetch(`${service.url}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`${service.name} not ready after ${timeoutMs} ms; see reports/<run>/${service.name}.log`);
}

/** SIGTERM, then the exit code of a graceful shutdown. */
export async function stopService(
  service: RunningService,
  timeoutMs = 30_000,
): Promise<number | NodeJS.Signals | null> {
  if (service.process.exitCode !== null) return service.process.exitCode;
  service.process.kill('SIGTERM');
  const timer = setTimeout(() => service.process.kill('SIGKILL'), timeoutMs);
  const code = await service.exited;
  clearTimeout(timer);
  return code;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}
