/**
 * Throughput of the per-event state update. Not a test; prints numbers only.
 *   node -r @swc-node/register bench/feature-state.ts
 */
import { cpus } from 'node:os';
import type { ClickstreamEvent } from '@cvp/contracts';
import { applyEvent, emptyState, featureVector, foldEvent, textSentiment, type CustomerState } from '@cvp/features';

const TEXTS = [
  'Love it, great quality and fast delivery',
  'Arrived late and the size was wrong',
  'Produto chegou antes do prazo, recomendo',
  'Não gostei, veio quebrado e a entrega atrasou',
];

/** A mixed stream: 1,000 customers over a year; 10% purchases (3 lines), 3% reviews with text, 2% refunds. */
function stream(count: number, customers: number): ClickstreamEvent[] {
  let seed = 42;
  const random = () => (seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
  const start = Date.parse('2025-01-01T00:00:00Z');
  return Array.from({ length: count }, (_, i): ClickstreamEvent => {
    const common = {
      eventId: `e-${i}`,
      customerId: `c-${Math.floor(random() * customers)}`,
      occurredAt: new Date(start + Math.floor((i / count) * 365 * 86_400_000)).toISOString(),
      sessionId: `s-${Math.floor(i / 20)}`,
    };
    const roll = random();
    const product = `p-${Math.floor(random() * 5000)}`;
    if (roll < 0.1) {
      const items = [0, 1, 2].map((line) => ({
        productId: `${product}-${line}`,
        category: `cat-${line}`,
        quantity: 1,
        unitPrice: 9.99,
      }));
      return { ...common, type: 'purchase', orderId: `o-${i}`, items, total: 29.97, currency: 'USD' };
    }
    if (roll < 0.13) return { ...common, type: 'review', productId: product, rating: 4, text: TEXTS[i % TEXTS.length] };
    if (roll < 0.15) return { ...common, type: 'refund', orderId: 'o', amount: 9.99, currency: 'USD' };
    if (roll < 0.5) return { ...common, type: 'product_view', productId: product };
    if (roll < 0.6) return { ...common, type: 'add_to_cart', productId: product, quantity: 1 };
    return { ...common, type: 'page_view' };
  });
}

function measure(label: string, events: number, run: () => void): void {
  run(); // warm-up
  const started = process.hrtime.bigint();
  run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `${label.padEnd(58)} ${Math.round(events / seconds)
      .toLocaleString('en-US')
      .padStart(11)} events/s`,
  );
}

console.log(`node -r @swc-node/register bench/feature-state.ts (node ${process.version}, ${cpus()[0]?.model})`);
const events = stream(500_000, 1_000);

measure('applyEvent (pure, copies the state), 1,000 customers', events.length, () => {
  const states = new Map<string, CustomerState>();
  for (const event of events) states.set(event.customerId, applyEvent(states.get(event.customerId) ?? null, event));
});

measure('foldEvent (in place, the batch path), 1,000 customers', events.length, () => {
  const states = new Map<string, CustomerState>();
  for (const event of events) {
    let state = states.get(event.customerId);
    if (!state) states.set(event.customerId, (state = emptyState(event.customerId, event.occurredAt)));
    foldEvent(state, event);
  }
});

const heavy = events.slice(0, 200_000).map((event) => ({ ...event, customerId: 'heavy' }));
let heavyState: CustomerState | null = null;
measure('applyEvent, one heavy customer (state at its bounds)', heavy.length, () => {
  heavyState = null;
  for (const event of heavy) heavyState = applyEvent(heavyState, event);
});
const finalHeavy = heavyState as unknown as CustomerState;
console.log(
  `heavy customer state: ${Buffer.byteLength(JSON.stringify(finalHeavy))} bytes of JSON after ${heavy.length} events`,
);

const json = JSON.stringify(finalHeavy);
measure('JSON.parse + JSON.stringify of that state (per call)', 20_000, () => {
  for (let i = 0; i < 20_000; i++) JSON.stringify(JSON.parse(json));
});
measure('featureVector of that state (per call)', 50_000, () => {
  for (let i = 0; i < 50_000; i++) featureVector(finalHeavy);
});
measure('textSentiment (per review text)', 100_000, () => {
  for (let i = 0; i < 100_000; i++) textSentiment(TEXTS[i % TEXTS.length]);
});
