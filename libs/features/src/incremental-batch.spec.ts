import fc from 'fast-check';
import { EVENT_TYPES, type ClickstreamEvent } from '@cvp/contracts';
import { buildCustomerStates, buildFeatureVectors } from './batch';
import { ALLOWED_LATENESS_MS, applyEvent, reviewReading, type CustomerState, type FoldInput } from './customer-state';
import { featureVectorAt } from './feature-vector';
import { textSentiment } from './sentiment';
import { DAY_MS } from './time';

/**
 * The property behind the two ways of running the features: folding a customer's events one by one as they
 * arrive (out of order within the allowed lateness, the state going through JSON as it does through Redis)
 * and then asking for the vector as of t gives exactly the state and vector of the batch builder fed the
 * same events sorted by time and cut at t. Reviews with text are also read by "the language model" (a reading
 * folded like an event, arriving before or after its review).
 */

const BASE_MS = Date.parse('2025-01-01T00:00:00Z');
const MAX_SPAN_DAYS = 800;
const TEXTS = [
  'Love it, great quality and fast delivery',
  'Broken on arrival, very disappointed',
  'não gostei, veio quebrado',
  'Recebi bem antes do prazo, recomendo',
  '',
];

const draft = fc.record({
  customer: fc.constantFrom('c-1', 'c-1', 'c-1', 'c-2', 'c-3'),
  // A point of the scenario's time span: any millisecond, or exactly midnight (the buckets' day boundaries).
  at: fc.integer({ min: 0, max: 1_000_000 }),
  midnight: fc.boolean(),
  format: fc.constantFrom('iso', 'offset', 'plain'),
  type: fc.constantFrom(...EVENT_TYPES, 'purchase', 'purchase'),
  session: fc.option(fc.integer({ min: 0, max: 150 }), { nil: undefined }),
  product: fc.integer({ min: 0, max: 300 }),
  category: fc.option(fc.integer({ min: 0, max: 80 }), { nil: undefined }),
  lines: fc.integer({ min: 1, max: 12 }),
  cents: fc.integer({ min: 0, max: 50_000 }),
  quantity: fc.integer({ min: 1, max: 3 }),
  rating: fc.integer({ min: 1, max: 5 }),
  text: fc.option(fc.constantFrom(...TEXTS), { nil: undefined }),
  delay: fc.integer({ min: 0, max: ALLOWED_LATENESS_MS }),
  /** The language model's reading of a review text (thousandths; null: not read) and when it arrives. */
  reading: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null }),
  readingDelay: fc.integer({ min: -ALLOWED_LATENESS_MS, max: ALLOWED_LATENESS_MS }),
  anyDelay: fc.integer({ min: 0, max: MAX_SPAN_DAYS * DAY_MS }),
});
type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Draft = ValueOf<typeof draft>;

/** One instant written three ways: toISOString, with a -03:00 offset, or without milliseconds when it has none. */
function iso(ms: number, format: Draft['format']): string {
  if (format === 'offset') return new Date(ms - 3 * 3_600_000).toISOString().replace('Z', '-03:00');
  if (format === 'plain' && ms % 1000 === 0) return new Date(ms).toISOString().replace('.000Z', 'Z');
  return new Date(ms).toISOString();
}

/** Epoch ms of a draft in a span of `spanDays`. */
const timeOf = (d: Draft, spanDays: number) =>
  BASE_MS +
  (d.midnight
    ? Math.floor((d.at / 1_000_001) * spanDays) * DAY_MS
    : Math.floor((d.at / 1_000_001) * spanDays * DAY_MS));

function toEvent(d: Draft, index: number, spanDays: number): ClickstreamEvent {
  const common = {
    eventId: `e-${index}`,
    customerId: d.customer,
    occurredAt: iso(timeOf(d, spanDays), d.format),
    ...(d.session === undefined ? {} : { sessionId: `s-${d.session}` }),
  };
  const category = d.category === undefined ? {} : { category: `cat-${d.category}` };
  switch (d.type) {
    case 'purchase': {
      const items = Array.from({ length: d.lines }, (_, line) => ({
        productId: `p-${d.product + line * 7}`,
        ...(d.category === undefined ? {} : { category: `cat-${(d.category + line) % 90}` }),
        quantity: d.quantity,
        unitPrice: (d.cents + line) / 100,
      }));
      const total = items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
      return { ...common, type: 'purchase', orderId: `o-${index}`, items, total, currency: 'USD' };
    }
    case 'refund':
      return { ...common, type: 'refund', orderId: 'o-1', amount: (d.cents + 1) / 100, currency: 'USD' };
    case 'review':
      return { ...common, type: 'review', productId: `p-${d.product}`, rating: d.rating, text: d.text };
    case 'product_view':
      return { ...common, type: 'product_view', productId: `p-${d.product}`, ...category };
    case 'add_to_cart':
      return { ...common, type: 'add_to_cart', productId: `p-${d.product}`, quantity: d.quantity };
    case 'remove_from_cart':
      return { ...common, type: 'remove_from_cart', productId: `p-${d.product}`, quantity: 1 };
    case 'checkout_started':
      return { ...common, type: 'checkout_started', cartValue: d.cents / 100 };
    default:
      return { ...common, type: 'page_view' };
  }
}

/** The reading of a generated review, if it is read. */
function readingOf(event: ClickstreamEvent, d: Draft): FoldInput[] {
  if (event.type !== 'review' || !event.text?.trim() || d.reading === null) return [];
  const lexicon = Math.round(textSentiment(event.text.trim()) * 1000) / 1000;
  return [reviewReading({ ...event, sentiment: d.reading / 1000, lexicon })];
}

/** The service's way: states folded in arrival order, each one through JSON every few events. */
function incremental(arrivals: FoldInput[], cutoffMs: number): Map<string, CustomerState> {
  const states = new Map<string, CustomerState>();
  arrivals.forEach((event, i) => {
    if (Date.parse(event.occurredAt) >= cutoffMs) return;
    const previous = states.get(event.customerId) ?? null;
    const stored = previous && i % 5 === 0 ? (JSON.parse(JSON.stringify(previous)) as CustomerState) : previous;
    states.set(event.customerId, applyEvent(stored, event));
  });
  // A customer with readings but no event yet is not published by the service (and has no batch state).
  for (const [id, state] of states) if (state.eventsApplied === 0) states.delete(id);
  return states;
}

/** What the generated streams exercised, so that a weakened generator fails loudly instead of passing. */
const seen = { outOfOrder: 0, sameInstantOtherText: 0, sketchFull: 0, bucketsPruned: 0, readingFirst: 0, runs: 0 };

function observe(arrivals: FoldInput[], states: Map<string, CustomerState>, cutoffMs: number): void {
  seen.runs++;
  const newest = new Map<string, number>();
  const texts = new Map<string, string>();
  let outOfOrder = false;
  let tie = false;
  const folded = new Set<string>();
  let readingFirst = false;
  for (const event of arrivals) {
    const at = Date.parse(event.occurredAt);
    if (at >= cutoffMs) continue;
    if (event.type === 'review_reading') {
      if (!folded.has(`${event.customerId} ${event.eventId}`)) readingFirst = true;
      continue;
    }
    folded.add(`${event.customerId} ${event.eventId}`);
    if (at < (newest.get(event.customerId) ?? -Infinity)) outOfOrder = true;
    newest.set(event.customerId, Math.max(at, newest.get(event.customerId) ?? -Infinity));
    const key = `${event.customerId} ${at}`;
    if (texts.has(key) && texts.get(key) !== event.occurredAt) tie = true;
    texts.set(key, event.occurredAt);
  }
  const all = [...states.values()];
  seen.outOfOrder += Number(outOfOrder);
  seen.readingFirst += Number(readingFirst);
  seen.sameInstantOtherText += Number(tie);
  seen.sketchFull += Number(all.some((s) => s.productSketch.length === 64 && s.sessionSketch.length === 64));
  seen.bucketsPruned += Number(all.some((s) => s.orders > s.purchaseDayOrders.reduce((a, b) => a + b, 0)));
}

async function* asAsync<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

const scenario = fc.record({
  drafts: fc.array(draft, { minLength: 1, maxLength: 250, size: 'max' }),
  // Dense streams (many events a day, late arrivals overtaking others) to sparse ones (buckets pruned).
  spanDays: fc.constantFrom(3, 30, 200, MAX_SPAN_DAYS),
  cutoffAt: fc.integer({ min: 0, max: 1_100_000 }),
  asyncSource: fc.boolean(),
});

async function assertSameAsBatch(
  { drafts, spanDays, cutoffAt, asyncSource }: ValueOf<typeof scenario>,
  delayOf: (d: Draft) => number,
): Promise<void> {
  const generated = drafts.map((d, i) => toEvent(d, i, spanDays));
  const events: { input: FoldInput; arrival: number }[] = generated.flatMap((event, i) => {
    const arrival = Date.parse(event.occurredAt) + delayOf(drafts[i]);
    return [
      { input: event, arrival },
      ...readingOf(event, drafts[i]).map((input) => ({ input, arrival: arrival + drafts[i].readingDelay })),
    ];
  });
  // Mostly after every event, sometimes inside the stream.
  const cutoff = new Date(BASE_MS + Math.floor((cutoffAt / 1_000_001) * spanDays * DAY_MS) + 1);
  const arrivals = events
    .map((_, i) => i)
    .sort((a, b) => events[a].arrival - events[b].arrival || a - b)
    .map((i) => events[i].input);
  const byTime = events.map(({ input }) => input).sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));

  const online = incremental(arrivals, cutoff.getTime());
  observe(arrivals, online, cutoff.getTime());
  const source = asyncSource ? asAsync(byTime) : byTime;
  const batchStates = await buildCustomerStates(source, cutoff);
  expect(new Map([...online].map(([id, state]) => [id, JSON.parse(JSON.stringify(state))]))).toEqual(batchStates);

  const vectors = await buildFeatureVectors(byTime, cutoff);
  expect(vectors.size).toBe(online.size);
  for (const [customerId, state] of online) {
    const vector = featureVectorAt(state, cutoff);
    expect(vector).toEqual(vectors.get(customerId));
    expect(Object.values(vector).every(Number.isFinite)).toBe(true);
  }
}

describe('incremental equals batch', () => {
  it('on random streams arriving out of order within the allowed lateness', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => assertSameAsBatch(s, (d) => d.delay)),
      { seed: 42, numRuns: 200 },
    );
    expect(seen.outOfOrder).toBeGreaterThan(50);
    expect(seen.sameInstantOtherText).toBeGreaterThan(10);
    expect(seen.sketchFull).toBeGreaterThan(10);
    expect(seen.bucketsPruned).toBeGreaterThan(10);
    expect(seen.readingFirst).toBeGreaterThan(10);
  });

  it('on random streams in any order at all (the fold is order-insensitive)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => assertSameAsBatch(s, (d) => d.anyDelay)),
      { seed: 7, numRuns: 100 },
    );
  });
});
