import { emptyState, featureArray, featureVectorAt, foldInput, type FoldInput } from '@cvp/features';
import { seededRandom } from '../math/random';

const DAY_MS = 86_400_000;
const YEAR_DAYS = 365;

/** Training examples at one cutoff: every customer with an event before it, their features then, their spend after. */
export interface CutoffExamples {
  cutoff: Date;
  customerIds: string[];
  /** Feature rows (FEATURE_NAMES order) as of the cutoff, from the events before it. */
  rows: number[][];
  /** Purchase spend in [cutoff, cutoff + labelDays). */
  spend: number[];
}

export interface RollingWindows {
  /** Label window length in days: the horizon where history allows, shorter (a third of the history) where not. */
  labelDays: number;
  /** Days between consecutive cutoffs. */
  stepDays: number;
  /** Cutoffs, oldest first; the last is `to` − labelDays, so every label window is observed and none crosses `to`. */
  cutoffs: Date[];
  /**
   * `to` − 365 days, one of `cutoffs`, when the history holds it (a step of history before it, its label window
   * ending by `to`): the same season a year before the horizon, on which the served model's total is calibrated.
   */
  seasonalCutoff: Date | null;
}

export interface RollingWindowOptions {
  /** Most cutoffs kept (the newest; default 12). */
  maxCutoffs?: number;
  /** Shortest label window worth training on (default 7 days). */
  minLabelDays?: number;
}

/**
 * Where the rolling cutoffs of a window fall. A training run needs three stretches of time: history before its
 * first cutoffs, their label windows, and one more label window after them on which candidates are compared (the
 * selection cutoff, `to` − 2 × labelDays ... `to` − labelDays). So labelDays = min(horizon, ⌊history / 3⌋); cutoffs
 * step back from `to` − labelDays by a quarter of the label window (at least a day), while a cutoff still has a
 * step of history before it. With a year of history or more, `to` − 365 days is a cutoff too (`seasonalCutoff`).
 */
export function rollingWindows(
  firstEventMs: number,
  to: Date,
  horizonDays: number,
  options: RollingWindowOptions = {},
): RollingWindows {
  const minLabelDays = options.minLabelDays ?? 7;
  const maxCutoffs = options.maxCutoffs ?? 12;
  const historyDays = Math.floor((to.getTime() - firstEventMs) / DAY_MS);
  const labelDays = Math.min(horizonDays, Math.floor(historyDays / 3));
  if (labelDays < minLabelDays) {
    throw new RangeError(
      `${historyDays} days of history before ${to.toISOString()} are too few to train on: at least ` +
        `${3 * minLabelDays} are needed (history, a label window, and a later one to compare candidates on)`,
    );
  }
  const stepDays = Math.max(1, Math.round(labelDays / 4));
  const cutoffs: Date[] = [];
  for (let k = 0; k < maxCutoffs; k++) {
    const ms = to.getTime() - (labelDays + k * stepDays) * DAY_MS;
    if (ms - firstEventMs < stepDays * DAY_MS) break;
    cutoffs.unshift(new Date(ms));
  }
  const yearAgoMs = to.getTime() - YEAR_DAYS * DAY_MS;
  const seasonal = labelDays <= YEAR_DAYS && yearAgoMs - firstEventMs >= stepDays * DAY_MS ? new Date(yearAgoMs) : null;
  if (seasonal && !cutoffs.some((cutoff) => cutoff.getTime() === yearAgoMs)) {
    cutoffs.push(seasonal);
    cutoffs.sort((a, b) => a.getTime() - b.getTime());
  }
  return { labelDays, stepDays, cutoffs, seasonalCutoff: seasonal };
}

export interface ExampleOptions {
  /** Most examples in all (default 250,000): beyond it a seeded share of customers is kept, all their cutoffs. */
  maxExamples?: number;
  seed?: number;
}

/**
 * The examples of every cutoff in one pass per customer: their events (and the language model's readings of their
 * reviews) in time order are folded into the same customer state the features service keeps (`@cvp/features`), and at each cutoff the features as of the cutoff
 * (what a sweep at that instant would score) and the purchase spend of the label window are taken. Events at or
 * after `labelEnd` (the window's end) are never read. Also returns every customer's features as of `asOf`.
 */
export function cutoffExamples(
  events: readonly FoldInput[],
  cutoffs: readonly Date[],
  labelDays: number,
  asOf: Date,
  options: ExampleOptions = {},
): { perCutoff: CutoffExamples[]; population: { customerIds: string[]; rows: number[][] } } {
  const labelMs = labelDays * DAY_MS;
  const endMs = asOf.getTime();
  const byCustomer = new Map<string, { ms: number; event: FoldInput }[]>();
  for (const event of events) {
    const ms = Date.parse(event.occurredAt);
    if (!(ms < endMs)) continue;
    let list = byCustomer.get(event.customerId);
    if (!list) byCustomer.set(event.customerId, (list = []));
    list.push({ ms, event });
  }
  const customerIds = [...byCustomer.keys()].sort();
  const cutoffMs = cutoffs.map((cutoff) => cutoff.getTime());
  // Examples there would be without sampling: per customer, the cutoffs after their first event.
  let total = 0;
  for (const list of byCustomer.values()) {
    let first = Infinity;
    for (const item of list) if (item.ms < first && item.event.type !== 'review_reading') first = item.ms;
    total += cutoffMs.filter((ms) => ms > first).length;
  }
  const keepShare = Math.min(1, (options.maxExamples ?? 250_000) / Math.max(1, total));
  const random = seededRandom((options.seed ?? 1) ^ 0x3c6ef372);
  const perCutoff: CutoffExamples[] = cutoffs.map((cutoff) => ({ cutoff, customerIds: [], rows: [], spend: [] }));
  const population = { customerIds: [] as string[], rows: [] as number[][] };
  for (const customerId of customerIds) {
    const sampled = keepShare >= 1 || random() < keepShare;
    const list = byCustomer.get(customerId) ?? [];
    list.sort((a, b) => a.ms - b.ms || (a.event.eventId < b.event.eventId ? -1 : 1));
    const state = emptyState(customerId, list[0].event.occurredAt);
    let next = 0;
    cutoffMs.forEach((ms, k) => {
      for (; next < list.length && list[next].ms < ms; next++) foldInput(state, list[next].event);
      if (state.eventsApplied === 0 || !sampled) return;
      let spend = 0;
      for (let j = next; j < list.length && list[j].ms < ms + labelMs; j++) {
        const event = list[j].event;
        if (event.type === 'purchase') spend += event.total;
      }
      const examples = perCutoff[k];
      examples.customerIds.push(customerId);
      examples.rows.push(featureArray(featureVectorAt(state, ms)));
      examples.spend.push(spend);
    });
    for (; next < list.length; next++) foldInput(state, list[next].event);
    if (state.eventsApplied === 0) continue; // readings of reviews whose events are past the window
    population.customerIds.push(customerId);
    population.rows.push(featureArray(featureVectorAt(state, Math.max(state.lastEventMs, endMs))));
  }
  return { perCutoff, population };
}
