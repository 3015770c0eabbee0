import { SingleBar } from 'cli-progress';
import { authHeaders } from './keys';
import type { SweepProgress, SweepRecord, SweepSummary } from '@cvp/scoring';

export interface SweepStatus {
  active: SweepProgress | null;
  last: SweepSummary | null;
}

export async function sweepStatus(scorerUrl: string): Promise<SweepStatus> {
  const response = await fetch(`${scorerUrl}/v1/sweeps`, { headers: authHeaders() });
  if (response.status !== 200) throw new Error(`the scorer answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SweepStatus;
}

/** What the CLI prints of a finished sweep. */
export function sweepFigures(summary: SweepSummary) {
  const { id, trigger, asOf, modelVersion, customers, written, forgotten, elapsedMs, customersPerSecond, timeMs } =
    summary;
  return { id, trigger, asOf, modelVersion, customers, written, forgotten, elapsedMs, customersPerSecond, timeMs };
}

/** Waits until the sweep that moves every customer to `modelVersion` (after its swap) has finished; returns it. */
export async function waitForModelSwapSweep(
  scorerUrl: string,
  modelVersion: string,
  progress: boolean,
  timeoutMs: number,
): Promise<SweepSummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await sweepStatus(scorerUrl);
    if (status.last?.trigger === 'model-swap' && status.last.modelVersion === modelVersion) return status.last;
    if (status.active?.trigger === 'model-swap' && status.active.modelVersion === modelVersion) {
      return followSweep(scorerUrl, status.active, progress, Math.max(1, deadline - Date.now()));
    }
    if (Date.now() > deadline) throw new Error(`no model-swap sweep of ${modelVersion} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Follows a sweep on the scorer's `GET /v1/sweeps` until it is the last finished one, with a progress bar of the
 * customers scored. A sweep replaced by another (a model swap supersedes a running sweep) is followed by its
 * replacement. Rejects when neither runs nor finished, or after `timeoutMs`.
 */
export async function followSweep(
  scorerUrl: string,
  followed: SweepRecord,
  progress: boolean,
  timeoutMs: number,
): Promise<SweepSummary> {
  const bar = progress
    ? new SingleBar({
        format: 'rescore |{bar}| {value}/{total} customers | {rate} customers/s | shards {shards}',
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 5000,
      })
    : null;
  let sweep = followed;
  bar?.start(Math.max(1, sweep.customersTotal), 0, { rate: 0, shards: `0/${sweep.shards}` });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const status = await sweepStatus(scorerUrl);
      if (status.last?.id === sweep.id) {
        bar?.update(status.last.customers, {
          rate: status.last.customersPerSecond,
          shards: `${status.last.shardsDone}/${status.last.shards}`,
        });
        return status.last;
      }
      if (status.active && status.active.id !== sweep.id && status.active.startedAt >= sweep.startedAt) {
        console.error(`[rescore] sweep ${sweep.id} was replaced by ${status.active.id} (${status.active.trigger})`);
        sweep = status.active;
        bar?.setTotal(Math.max(1, sweep.customersTotal));
      }
      if (status.active?.id === sweep.id) {
        bar?.update(status.active.customers, {
          rate: status.active.customersPerSecond,
          shards: `${status.active.shardsDone}/${status.active.shards}`,
        });
      } else {
        const now = status.active ? `sweep ${status.active.id} (${status.active.trigger}) runs instead` : 'none runs';
        throw new Error(`sweep ${sweep.id} is neither running nor the last finished: ${now}`);
      }
      if (Date.now() > deadline) throw new Error(`sweep ${sweep.id} still running after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    bar?.stop();
  }
}
