import { featureVector, applyEvent } from '@cvp/features';
import type { ClickstreamEvent } from '@cvp/contracts';
import { rfmHeuristic } from './rfm-heuristic';

const options = { horizonDays: 365, highTierSpend: 500, midTierSpend: 100 };
const purchase = (day: number, total: number): ClickstreamEvent => ({
  eventId: `p${day}`,
  customerId: 'c',
  occurredAt: new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString(),
  type: 'purchase',
  orderId: `o${day}`,
  items: [{ productId: 'p', quantity: 1, unitPrice: total }],
  total,
  currency: 'USD',
});
const view = (day: number): ClickstreamEvent => ({
  eventId: `v${day}`,
  customerId: 'c',
  occurredAt: new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString(),
  type: 'page_view',
});
const score = (events: ClickstreamEvent[]) =>
  rfmHeuristic(featureVector(events.reduce(applyEvent, null as never)), options);

describe('rfm heuristic', () => {
  it('rates a frequent, recent, big spender high with low churn risk', () => {
    const estimate = score([0, 20, 40, 60, 80, 100].map((day) => purchase(day, 200)));
    expect(estimate.tier).toBe('high');
    expect(estimate.churnRisk).toBeLessThan(0.1);
    expect(estimate.pBuyAgain).toBeGreaterThan(0.9);
  });

  it('raises churn risk as a regular buyer goes quiet', () => {
    const buyer = [0, 20, 40, 60, 80, 100].map((day) => purchase(day, 200));
    const quiet = score([...buyer, view(400)]);
    const active = score([...buyer, view(110)]);
    expect(quiet.churnRisk).toBeGreaterThan(0.6);
    expect(quiet.churnRisk).toBeGreaterThan(active.churnRisk);
    expect(quiet.expectedSpend).toBeLessThan(active.expectedSpend);
  });

  it('gives a browser who never bought no expected spend and a low tier', () => {
    const estimate = score([view(0), view(1)]);
    expect(estimate.expectedSpend).toBe(0);
    expect(estimate.tier).toBe('low');
  });

  it('explains the score, biggest effect first', () => {
    const estimate = score([purchase(0, 50), purchase(30, 50)]);
    expect(estimate.reasons.map((reason) => reason.feature).sort()).toEqual([
      'frequency',
      'monetaryMean',
      'recencyDays',
    ]);
    const sizes = estimate.reasons.map((reason) => Math.abs(reason.contribution));
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });
});
