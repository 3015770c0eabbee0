import type { ClickstreamEvent } from '@cvp/contracts';
import { sampleBeta, sampleGamma, seededRandom } from '../math/random';
import { evaluate } from './evaluate';

// CPU-bound training: generous under a loaded machine; speed is measured in bench/, not here.
jest.setTimeout(60_000);

const DAY_MS = 86_400_000;
const START = Date.parse('2024-01-01T00:00:00Z');

/** BG/NBD-like customers: Poisson purchases at their own rate, a chance to drop out after each purchase. */
function syntheticEvents(customers: number, seed: number): ClickstreamEvent[] {
  const random = seededRandom(seed);
  const events: ClickstreamEvent[] = [];
  for (let c = 0; c < customers; c++) {
    const rate = sampleGamma(random, 0.8, 25); // purchases a day
    const basket = 10 + 90 * random();
    const dropout = sampleBeta(random, 1, 4);
    let day = 180 * random();
    for (let n = 0; day < 730; n++) {
      const total = Math.round(basket * (0.5 + random()) * 100) / 100;
      events.push({
        eventId: `e-${c}-${n}`,
        customerId: `c-${c}`,
        occurredAt: new Date(START + Math.floor(day) * DAY_MS + 3_600_000).toISOString(),
        type: 'purchase',
        orderId: `o-${c}-${n}`,
        items: [{ productId: 'p', quantity: 1, unitPrice: total }],
        total,
        currency: 'USD',
      });
      if (random() < dropout) break;
      day += -Math.log(1 - random()) / rate;
    }
  }
  return events;
}

describe('evaluate', () => {
  const events = syntheticEvents(200, 9);
  const quiet = {
    backend: 'cpu' as const,
    log: () => undefined,
    ziln: { hiddenUnits: [8], maxEpochs: 5 },
    bootstrap: 20,
  };

  it('scores what the trainer would serve, every candidate and the outside peers on the same customers', async () => {
    const cutoff = new Date('2025-01-01T00:00:00Z');
    const run = await evaluate({ ...quiet, events, cutoff, horizonDays: 180, seed: 1, dataset: 'synthetic' });
    const { result } = run;
    expect(result).toMatchObject({ dataset: 'synthetic', cutoff: '2025-01-01', horizonDays: 180 });
    expect(result.customers).toBeGreaterThan(100);
    for (const [model, metrics] of Object.entries(result.models)) {
      for (const name of [
        'gini',
        'spearman',
        'top10Capture',
        'top20Capture',
        'mae',
        'rmse',
        'auc',
        'totalRatio',
      ] as const) {
        expect([model, name, Number.isFinite(metrics[name])]).toEqual([model, name, true]);
      }
      expect(metrics.deciles).toHaveLength(10);
    }
    // The first event is on day 1 of 2024: 365 days of history, label windows of ⌊365 / 3⌋ = 121 days (history,
    // training labels, selection labels).
    expect(result.training).toMatchObject({ backend: 'cpu', labelDays: 121 });
    expect(result.training.cutoffs).toBeGreaterThan(2);
    expect(result.training.epochs).toBeGreaterThanOrEqual(1);
    // The served model is one of the trainer's candidates, and the peers are all there.
    expect(result.served).toBe(result.selection.winner);
    expect(result.served).toMatch(/^cvp-/);
    expect(Object.keys(result.models)).toEqual(
      expect.arrayContaining(['cvp-ziln', 'bgnbd-gg', 'historical-average', 'calibration-total', 'last-window']),
    );
    expect(result.selection.validationCutoff).toBe('2024-09-02T00:00:00.000Z');
    expect(run.gainCurves[result.served]).toHaveLength(21);
    expect(run.weekly).toHaveLength(Math.ceil(180 / 7));
    expect(result.models['bgnbd-gg'].gini).toBeGreaterThan(0.2);
    const interval = result.intervals[result.served].gini;
    expect(interval.low).toBeLessThanOrEqual(result.models[result.served].gini);
    expect(interval.high).toBeGreaterThanOrEqual(result.models[result.served].gini);
    run.trained.model.dispose();
  });

  it('refuses a cutoff outside the data and a cutoff before any purchase', async () => {
    await expect(
      evaluate({ ...quiet, events, cutoff: new Date('2030-01-01T00:00:00Z'), horizonDays: 30 }),
    ).rejects.toThrow(/outside the data/);
    const view: ClickstreamEvent = {
      eventId: 'v',
      customerId: 'c-x',
      occurredAt: '2023-06-01T00:00:00Z',
      type: 'page_view',
      url: '/',
    } as ClickstreamEvent;
    await expect(
      evaluate({ ...quiet, events: [view, ...events], cutoff: new Date('2023-07-01T00:00:00Z'), horizonDays: 30 }),
    ).rejects.toThrow(/no customer has a purchase before the cutoff/);
    await expect(evaluate({ ...quiet, events, cutoff: new Date('x'), horizonDays: 30 })).rejects.toThrow(/valid date/);
  });
});
