import type { SpendSummary } from './types';

/** One purchase. Amounts are taken as given (a refund would be a negative amount on its own day). */
export interface Transaction {
  customerId: string;
  time: Date;
  amount: number;
}

export type TimeUnit = 'days' | 'weeks';

export interface SummaryOptions {
  /** First instant of the holdout period; calibration is everything before it. */
  cutoff: Date;
  /** Length of the holdout period, [cutoff, cutoff + horizonDays days). */
  horizonDays: number;
  /** Unit of repeatCount's companions: lastRepeatTime, age, observedTime (weeks for CDNOW). */
  unit: TimeUnit;
}

/**
 * A customer's calibration summary at a cutoff and what they did in the holdout period after it.
 *
 * Time is counted in whole days: a day is a 24-hour block aligned to the cutoff (calendar days in UTC when the
 * cutoff is a UTC midnight), a purchase sits at the start of its day, and purchases of one customer on one day are
 * merged into one transaction whose value is their sum, as in Fader, Hardie & Lee (2005).
 */
export interface CustomerSummary extends SpendSummary {
  customerId: string;
  /** Start of the day of the first purchase. */
  firstPurchase: Date;
  /**
   * T: time from the first purchase day to the last calibration day (the day before the cutoff), so a purchase on
   * that last day has t_x = T. This is the convention of the published CDNOW summaries: a customer who first
   * bought on 1997-01-01 has T = 272/7 = 38.86 weeks at a 1997-10-01 cutoff.
   */
  age: number;
  /** Time the customer was watched: from the start of the first purchase day to the cutoff, age + 1 day (> 0). */
  observedTime: number;
  /** Calibration spend, first purchase included. */
  calibrationSpend: number;
  /** Holdout purchase days (same-day purchases merged), comparable with BG/NBD's expected transactions. */
  holdoutTransactions: number;
  /** Holdout spend: the target. */
  holdoutSpend: number;
  /** Whether the customer bought in the holdout period. */
  holdoutBought: boolean;
}

const DAY_MS = 86_400_000;
const UNIT_DAYS: Record<TimeUnit, number> = { days: 1, weeks: 7 };

interface Accumulator {
  firstDay: number;
  firstDaySpend: number;
  lastDay: number;
  calibrationDays: Set<number>;
  calibrationSpend: number;
  holdoutDays: Set<number>;
  holdoutSpend: number;
}

/**
 * Builds summaries one transaction at a time, in any order: per customer it keeps the set of purchase days and
 * running sums, never the transactions themselves. Customers are those with a purchase before the cutoff;
 * transactions from cutoff + horizon on are ignored.
 */
export class SummaryBuilder {
  private readonly customers = new Map<string, Accumulator>();
  private readonly cutoffMs: number;
  private readonly holdoutEndMs: number;
  private readonly unitDays: number;

  constructor(options: SummaryOptions) {
    this.cutoffMs = options.cutoff.getTime();
    if (!Number.isFinite(this.cutoffMs)) throw new RangeError('cutoff is not a valid date');
    if (!(options.horizonDays > 0 && Number.isFinite(options.horizonDays))) {
      throw new RangeError(`horizonDays must be > 0, got ${options.horizonDays}`);
    }
    this.holdoutEndMs = this.cutoffMs + options.horizonDays * DAY_MS;
    this.unitDays = UNIT_DAYS[options.unit];
    if (this.unitDays === undefined) throw new RangeError(`unknown time unit ${String(options.unit)}`);
  }

  add(transaction: Transaction): void {
    const timeMs = transaction.time.getTime();
    if (!Number.isFinite(timeMs)) throw new RangeError(`customer ${transaction.customerId}: invalid time`);
    if (!Number.isFinite(transaction.amount)) {
      throw new RangeError(`customer ${transaction.customerId}: amount ${transaction.amount} is not a number`);
    }
    if (timeMs >= this.holdoutEndMs) return;
    const day = Math.floor((timeMs - this.cutoffMs) / DAY_MS);
    let state = this.customers.get(transaction.customerId);
    if (!state) {
      state = {
        firstDay: 0,
        firstDaySpend: 0,
        lastDay: Number.NEGATIVE_INFINITY,
        calibrationDays: new Set(),
        calibrationSpend: 0,
        holdoutDays: new Set(),
        holdoutSpend: 0,
      };
      this.customers.set(transaction.customerId, state);
    }
    if (day >= 0) {
      state.holdoutDays.add(day);
      state.holdoutSpend += transaction.amount;
      return;
    }
    if (state.calibrationDays.size === 0 || day < state.firstDay) {
      state.firstDay = day;
      state.firstDaySpend = transaction.amount;
    } else if (day === state.firstDay) {
      state.firstDaySpend += transaction.amount;
    }
    state.lastDay = Math.max(state.lastDay, day);
    state.calibrationDays.add(day);
    state.calibrationSpend += transaction.amount;
  }

  /** The summaries of every customer seen with a calibration purchase, in order of first appearance. */
  build(): CustomerSummary[] {
    const summaries: CustomerSummary[] = [];
    for (const [customerId, state] of this.customers) {
      if (state.calibrationDays.size === 0) continue;
      const repeatCount = state.calibrationDays.size - 1;
      summaries.push({
        customerId,
        firstPurchase: new Date(this.cutoffMs + state.firstDay * DAY_MS),
        repeatCount,
        lastRepeatTime: (state.lastDay - state.firstDay) / this.unitDays,
        age: (-1 - state.firstDay) / this.unitDays,
        observedTime: -state.firstDay / this.unitDays,
        calibrationSpend: state.calibrationSpend,
        meanRepeatValue: repeatCount > 0 ? (state.calibrationSpend - state.firstDaySpend) / repeatCount : 0,
        holdoutTransactions: state.holdoutDays.size,
        holdoutSpend: state.holdoutSpend,
        holdoutBought: state.holdoutDays.size > 0,
      });
    }
    return summaries;
  }
}

/** `SummaryBuilder` over an iterable of transactions. */
export function summarize(transactions: Iterable<Transaction>, options: SummaryOptions): CustomerSummary[] {
  const builder = new SummaryBuilder(options);
  for (const transaction of transactions) builder.add(transaction);
  return builder.build();
}
