import { scoreAsOf } from '@cvp/clock';
import { isoDateTime } from '@cvp/contracts';
import { featureArray, featureVectorAt, type CustomerState } from '@cvp/features';
import { MAX_VALUE_HORIZON_DAYS } from '@cvp/model';
import { z } from 'zod';
import type { LoadedValueModel } from './model-scoring';

/** The query of a value lookup: when, over how long, discounted at what annual rate. */
export const customerValueQuerySchema = z
  .object({
    at: isoDateTime.optional(),
    horizonDays: z.coerce
      .number()
      .int('must be a whole number of days')
      .min(1)
      .max(MAX_VALUE_HORIZON_DAYS, `must be at most ${MAX_VALUE_HORIZON_DAYS}`)
      .optional(),
    annualDiscountRate: z.coerce.number().min(0).max(1, 'must be a fraction in [0, 1], e.g. 0.1 for 10%').optional(),
  })
  .strict();
export type CustomerValueQuery = z.infer<typeof customerValueQuerySchema>;

/** A customer's value as of an instant, over a horizon, as the served model sees it. */
export interface CustomerValueAnswer {
  customerId: string;
  /** The instant the features were taken as of (never before the customer's newest event). */
  asOf: string;
  lastEventAt: string;
  horizonDays: number;
  annualDiscountRate: number;
  /** Expected spend over [asOf, asOf + horizonDays), undiscounted. */
  expectedSpend: number;
  /** The same, each month discounted to `asOf` at the annual rate (CLV over the horizon). */
  clv: number;
  pBuy: number;
  /** BG/NBD's P(alive) as of `asOf` (null before a first purchase). */
  probabilityAlive: number | null;
  modelVersion: string;
}

export class ValueAtBeforeLastEvent extends RangeError {}

/**
 * The value of one customer as of `at` (default: the clock's now), if they do nothing until then: features aged to
 * that instant as a sweep would, then `ValueModel.valueOver`. An `at` before the customer's newest event cannot be
 * answered (the state holds that event) and is refused.
 */
export function customerValueAt(
  loaded: LoadedValueModel,
  state: CustomerState,
  query: CustomerValueQuery,
  nowMs: number | null,
): CustomerValueAnswer {
  const atMs = query.at === undefined ? scoreAsOf(state.lastEventMs, nowMs) : Date.parse(query.at);
  if (atMs < state.lastEventMs) {
    throw new ValueAtBeforeLastEvent(
      `at ${new Date(atMs).toISOString()} is before the customer's newest event (${state.lastEventAt})`,
    );
  }
  const horizonDays = query.horizonDays ?? loaded.metadata.horizonDays;
  const annualDiscountRate = query.annualDiscountRate ?? 0;
  const row = featureArray(featureVectorAt(state, atMs));
  const [value] = loaded.model.valueOver([row], { horizonDays, annualDiscountRate });
  const money = (x: number) => (Number.isFinite(x) ? Math.max(0, Math.round(x * 100) / 100) : 0);
  const fraction = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 10_000) / 10_000;
  return {
    customerId: state.customerId,
    asOf: new Date(atMs).toISOString(),
    lastEventAt: state.lastEventAt,
    horizonDays,
    annualDiscountRate,
    expectedSpend: money(value.expectedSpend),
    clv: money(value.clv),
    pBuy: fraction(value.probabilityOfPurchase),
    probabilityAlive: value.probabilityAlive === null ? null : fraction(value.probabilityAlive),
    modelVersion: loaded.metadata.version,
  };
}
