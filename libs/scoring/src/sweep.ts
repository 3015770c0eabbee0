import type { FeatureVectorMessage, ScoreTrigger } from '@cvp/contracts';
import { scoreAsOf } from '@cvp/clock';
import {
  FEATURE_SCHEMA_VERSION,
  featureVectorAt,
  readCustomerState,
  STATE_VERSION,
  type CustomerState,
} from '@cvp/features';

/** What started a re-scoring sweep. */
export const SWEEP_TRIGGERS = ['schedule', 'on-demand', 'model-swap'] as const;
export type SweepTrigger = (typeof SWEEP_TRIGGERS)[number];

/** A re-scoring sweep as the scorer replicas share it: every customer, as of one instant of the clock. */
export interface SweepRecord {
  id: string;
  trigger: SweepTrigger;
  /** The clock's instant every customer is scored as of (ISO 8601). */
  asOf: string;
  /** The version that scores this sweep; only replicas holding it take part. */
  modelVersion: string;
  startedAt: string;
  shards: number;
  /** Customers in the index when the sweep started. */
  customersTotal: number;
}

/** The figures of a sweep: how far it got, or how it ended. */
export interface SweepFigures {
  shardsDone: number;
  /** Customers read from the index and scored (or forgotten). */
  customers: number;
  /** Scores written (newer than what was held) and published. */
  written: number;
  /** Customers whose feature state had expired: their score was deleted and left the tier totals. */
  forgotten: number;
  /** States of a layout this scorer cannot read, left as they are. */
  skipped: number;
  elapsedMs: number;
  customersPerSecond: number;
  /** Milliseconds spent per step, summed over the replicas: where a sweep's time goes. */
  timeMs: Record<SweepPhase, number>;
}

/** The steps of a sweep page: Redis reads, state JSON, features as of the clock, model + reasons, writes, publishing. */
export const SWEEP_PHASES = ['read', 'parse', 'features', 'score', 'write', 'publish'] as const;
export type SweepPhase = (typeof SWEEP_PHASES)[number];

export type SweepProgress = SweepRecord & SweepFigures;
export type SweepSummary = SweepRecord & SweepFigures & { finishedAt: string };

/** The `trigger` of the scores a sweep writes. */
export const scoreTriggerOf = (trigger: SweepTrigger): Exclude<ScoreTrigger, 'event'> =>
  trigger === 'model-swap' ? 'model-swap' : 'sweep';

/** The `sourceEventId` of a sweep's scores: one per sweep, so a campaign decides at most once per customer and sweep. */
export const sweepSourceId = (sweepId: string) => `sweep:${sweepId}`;

export function sweepFigures(
  counts: { shardsDone: number; customers: number; written: number; forgotten: number; skipped: number },
  timeMs: SweepFigures['timeMs'],
  startedAt: string,
  nowMs: number,
): SweepFigures {
  const elapsedMs = Math.max(0, nowMs - Date.parse(startedAt));
  return {
    ...counts,
    timeMs,
    elapsedMs,
    customersPerSecond: elapsedMs > 0 ? Math.round((counts.customers / elapsedMs) * 1000) : 0,
  };
}

/**
 * Parses a stored feature state; null for one this code cannot read (other layout, broken JSON), and for one with no
 * event yet (a review's reading folded before the review itself: nothing to score).
 */
export function readState(raw: string): CustomerState | null {
  try {
    const state = readCustomerState(raw);
    return state?.stateVersion === STATE_VERSION && typeof state.lastEventMs === 'number' && state.eventsApplied > 0
      ? state
      : null;
  } catch {
    return null;
  }
}

/**
 * The feature vectors of a sweep: every state's features as of the sweep's instant (never before the customer's
 * newest event), in the message shape the event path scores, so both paths score the same way.
 */
export function sweepMessages(
  states: readonly CustomerState[],
  sweep: Pick<SweepRecord, 'id' | 'asOf'>,
  computedAt: string,
): FeatureVectorMessage[] {
  const sweepMs = Date.parse(sweep.asOf);
  return states.map((state) => {
    const asOfMs = scoreAsOf(state.lastEventMs, sweepMs);
    return {
      customerId: state.customerId,
      asOf: asOfMs === state.lastEventMs ? state.lastEventAt : new Date(asOfMs).toISOString(),
      lastEventAt: state.lastEventAt,
      sourceEventId: sweepSourceId(sweep.id),
      featureSchemaVersion: FEATURE_SCHEMA_VERSION,
      features: featureVectorAt(state, asOfMs),
      computedAt,
    };
  });
}
