import { byExpectedReturn, expectedReturn, valueAtStake, type CampaignEconomics } from './expected-return';
import { simulateResponses } from './response-simulation';
import { isAttributed, upliftReport, type GroupOutcome } from './uplift';

const campaign = (over: Partial<CampaignEconomics>): CampaignEconomics => ({
  id: 'c',
  priority: 0,
  action: 'win_back',
  costPerAction: 1,
  upliftRate: 0.05,
  ...over,
});

describe('expected return', () => {
  it('values the uplift on expected spend against the action cost, a coupon paid only on a purchase', () => {
    expect(expectedReturn(campaign({}), { expectedSpend: 200, pBuyAgain: 0.5 })).toEqual({
      incrementalValue: 10,
      cost: 1,
      value: 9,
    });
    const coupon = expectedReturn(campaign({ action: 'coupon', couponValue: 10, upliftRate: 0.1 }), {
      expectedSpend: 200,
      pBuyAgain: 0.4,
    });
    expect(coupon).toEqual({ incrementalValue: 20, cost: 5, value: 15 });
  });

  it('orders competing campaigns by expected return and drops those that would lose money', () => {
    const campaigns = [
      campaign({ id: 'cheap', upliftRate: 0.02, costPerAction: 0.1 }), // 4 - 0.1
      campaign({ id: 'rich', upliftRate: 0.1, costPerAction: 5 }), // 20 - 5
      campaign({ id: 'loser', upliftRate: 0.01, costPerAction: 5 }), // 2 - 5
      campaign({ id: 'tie-high', upliftRate: 0.1, costPerAction: 5, priority: 9 }),
    ];
    const order = byExpectedReturn(campaigns, { expectedSpend: 200, pBuyAgain: 0.5 }).map((c) => c.campaign.id);
    expect(order).toEqual(['tie-high', 'rich', 'cheap']);
    expect(byExpectedReturn(campaigns, { expectedSpend: 0, pBuyAgain: 0 })).toEqual([]);
  });
});

/** Outcomes of n customers: each converts with probability p and then spends `amount`. Seeded. */
function outcomes(n: number, p: number, amount: number, seed: number): GroupOutcome {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const group: GroupOutcome = { customers: n, converters: 0, revenue: 0, revenueSquares: 0 };
  for (let i = 0; i < n; i++) {
    if (random() < p) {
      group.converters++;
      group.revenue += amount;
      group.revenueSquares += amount * amount;
    }
  }
  return group;
}

describe('upliftReport', () => {
  it('finds a real uplift, with an interval around it, the incremental revenue and the ROI', () => {
    const report = upliftReport(outcomes(5000, 0.12, 50, 1), outcomes(5000, 0.08, 50, 2), 1000);
    expect(report.verdict).toBe('beats control');
    expect(report.conversionUplift.low).toBeGreaterThan(0);
    expect(report.revenuePerCustomerUplift.estimate).toBeGreaterThan(1);
    expect(report.revenuePerCustomerUplift.low).toBeLessThan(2);
    expect(report.revenuePerCustomerUplift.high).toBeGreaterThan(2); // the true uplift, 0.04 × 50
    expect(report.incrementalRevenue.estimate).toBeCloseTo(report.revenuePerCustomerUplift.estimate * 5000, 6);
    expect(report.roi).toBeCloseTo((report.incrementalRevenue.estimate - 1000) / 1000, 9);
  });

  it('says so when the campaign does not beat its control, and when there is too little data', () => {
    const flat = upliftReport(outcomes(4000, 0.1, 50, 3), outcomes(4000, 0.1, 50, 4), 500);
    expect(flat.verdict).toBe('does not beat control');
    expect(flat.explanation).toMatch(/not above 0 with 95% confidence/);
    expect(flat.revenuePerCustomerUplift.low).toBeLessThan(0);
    const tiny = upliftReport(outcomes(10, 0.5, 50, 5), outcomes(3, 0, 0, 6), 10);
    expect(tiny.verdict).toBe('not enough data');
    expect(upliftReport(outcomes(0, 0, 0, 7), outcomes(0, 0, 0, 8), 0).roi).toBeNull();
  });

  it('computes the interval by hand on a small example (Welch)', () => {
    // treated: 4 customers spending 10, 0, 20, 10 -> mean 10, var 200/3; control: 0, 0, 10, 10 -> mean 5, var 100/3
    const report = upliftReport(
      { customers: 4, converters: 3, revenue: 40, revenueSquares: 600 },
      { customers: 4, converters: 2, revenue: 20, revenueSquares: 200 },
      0,
      1,
    );
    const se = Math.sqrt(200 / 3 / 4 + 100 / 3 / 4);
    expect(report.revenuePerCustomerUplift.estimate).toBe(5);
    expect(report.revenuePerCustomerUplift.low).toBeCloseTo(5 - 1.959964 * se, 9);
    expect(report.incrementalRevenue.high).toBeCloseTo((5 + 1.959964 * se) * 4, 9);
  });
});

describe('isAttributed', () => {
  const decision = { customerId: 'a', eventTime: new Date('2026-01-01T00:00:00Z') };
  it('counts the customer’s purchases after the decision, within the window', () => {
    expect(isAttributed(decision, { customerId: 'a', occurredAt: new Date('2026-01-01T00:00:00Z') }, 7)).toBe(false);
    expect(isAttributed(decision, { customerId: 'a', occurredAt: new Date('2026-01-01T00:00:01Z') }, 7)).toBe(true);
    expect(isAttributed(decision, { customerId: 'a', occurredAt: new Date('2026-01-07T23:59:59Z') }, 7)).toBe(true);
    expect(isAttributed(decision, { customerId: 'a', occurredAt: new Date('2026-01-08T00:00:00Z') }, 7)).toBe(false);
    expect(isAttributed(decision, { customerId: 'a', occurredAt: new Date('2025-12-31T23:59:59Z') }, 7)).toBe(false);
    expect(isAttributed(decision, { customerId: 'b', occurredAt: new Date('2026-01-02T00:00:00Z') }, 7)).toBe(false);
  });
});

/** `count` decisions a second apart from 2026-01-01, treated and control in turn, all on the same score. */
function alternatingDecisions(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    customerId: `c${i}`,
    group: (i % 2 === 0 ? 'treated' : 'control') as 'treated' | 'control',
    eventTime: new Date(Date.UTC(2026, 0, 1) + i * 1000),
    score: { expectedSpend: 100, pBuyAgain: 0.5, horizonDays: 90 },
  }));
}

describe('simulateResponses', () => {
  const decisions = alternatingDecisions(4000);

  it('makes the treated group buy more often by the lift, seeded, after each decision and inside the window', () => {
    const model = { lift: 0.5, windowDays: 30, seed: 3, idPrefix: 'sim' };
    const events = simulateResponses(
      [...decisions, { ...decisions[0], eventTime: new Date(Date.UTC(2027, 0, 1)) }],
      model,
    );
    expect(simulateResponses([...decisions].reverse(), model)).toEqual(simulateResponses(decisions, model));
    const bought = (group: string) =>
      events.filter((event) => decisions[Number(event.customerId.slice(1))].group === group).length / 2000;
    const base = 1 - Math.pow(0.5, 30 / 90); // 0.206
    expect(bought('control')).toBeCloseTo(base, 1);
    expect(bought('treated')).toBeCloseTo(base * 1.5, 1);
    for (const event of events) {
      const decision = decisions[Number(event.customerId.slice(1))];
      const delta = Date.parse(event.occurredAt) - decision.eventTime.getTime();
      expect(delta).toBeGreaterThan(0);
      expect(delta).toBeLessThan(30 * 86_400_000);
      expect(isAttributed(decision, { customerId: event.customerId, occurredAt: new Date(event.occurredAt) }, 30)).toBe(
        true,
      );
    }
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
  });

  it("draws each customer's response from a stream of their own: who else was decided changes nothing for them", () => {
    const model = { lift: 0.5, windowDays: 30, seed: 3, idPrefix: 'sim' };
    const all = simulateResponses(decisions, model);
    const some = simulateResponses(
      decisions.filter((_, i) => i % 3 !== 0),
      model,
    );
    const kept = new Set(decisions.filter((_, i) => i % 3 !== 0).map((decision) => decision.customerId));
    expect(some).toEqual(all.filter((event) => kept.has(event.customerId)));
    expect(simulateResponses(decisions, { ...model, seed: 4 })).not.toEqual(all);
  });
});

describe('simulateResponses with the stream as the baseline', () => {
  const decisions = alternatingDecisions(8000);
  const model = { lift: 0.5, windowDays: 30, seed: 3, idPrefix: 'sim' };
  const base = 1 - Math.pow(0.5, 30 / 90); // 0.206
  const bought = (events: { customerId: string }[], group: string) =>
    events.filter((event) => decisions[Number(event.customerId.slice(1))].group === group).length / 4000;

  it('adds only the extra purchases of the treated group where the stream already holds the window', () => {
    const events = simulateResponses(decisions, { ...model, observedUntil: new Date(Date.UTC(2027, 0, 1)) });
    expect(bought(events, 'control')).toBe(0);
    expect(bought(events, 'treated')).toBeCloseTo(base * 0.5, 1.5);
    expect(events.every((event) => !event.eventId.endsWith('-baseline'))).toBe(true);
  });

  it("draws the baseline from the score only for the window's part after the stream's end, in both groups", () => {
    // The stream ends 20 days into every window: a baseline purchase for the last 10 days only.
    const observedUntil = new Date(Date.UTC(2026, 0, 21, 3));
    const events = simulateResponses(decisions, { ...model, observedUntil });
    const baselines = events.filter((event) => event.eventId.endsWith('-baseline'));
    const tail = 1 - Math.pow(0.5, 10 / 90); // about 0.074
    expect(bought(baselines, 'control')).toBeCloseTo(tail, 1.5);
    expect(bought(baselines, 'treated')).toBeCloseTo(tail, 1.5);
    for (const event of baselines) expect(Date.parse(event.occurredAt)).toBeGreaterThan(observedUntil.getTime());
    const extras = events.filter((event) => !event.eventId.endsWith('-baseline'));
    expect(bought(extras, 'control')).toBe(0);
    expect(bought(extras, 'treated')).toBeCloseTo(base * 0.5, 1.5);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
  });
});

describe('win-back economics', () => {
  const winBack = { id: 'w', priority: 0, action: 'win_back' as const, costPerAction: 1, upliftRate: 0.05 };

  it("values a win-back on the customer's spend while active, which a lapsed customer's expected spend is not", () => {
    // 1,200 over 400 days of tenure: 3 a day, 270 over a 90-day horizon.
    const stake = valueAtStake({ monetaryTotal: 1200, tenureDays: 400 }, 90);
    expect(stake).toBeCloseTo(270, 6);
    const lapsed = { expectedSpend: 0, pBuyAgain: 0.01, valueAtStake: stake };
    expect(expectedReturn(winBack, lapsed)).toEqual({ incrementalValue: 13.5, cost: 1, value: 12.5 });
    // Other actions still act on expected spend only.
    expect(expectedReturn({ ...winBack, action: 'ad_audience' }, lapsed).value).toBe(-1);
    // Whichever is larger: an active customer's forecast above their past rate counts.
    expect(expectedReturn(winBack, { ...lapsed, expectedSpend: 400 }).incrementalValue).toBe(20);
  });

  it('knows no stake without spend, and reads one recent order over 30 days at least', () => {
    expect(valueAtStake({}, 90)).toBe(0);
    expect(valueAtStake({ monetaryTotal: 0, tenureDays: 10 }, 90)).toBe(0);
    expect(valueAtStake({ monetaryTotal: 30, tenureDays: 2 }, 90)).toBe(90);
  });
});

describe('learned uplift in the economics', () => {
  const ad = { id: 'a', priority: 0, action: 'ad_audience' as const, costPerAction: 2, upliftRate: 0.05 };
  it("takes the model's incremental revenue in place of the constant rate, and ranks explored customers last", () => {
    const score = { expectedSpend: 200, pBuyAgain: 0.5 };
    expect(expectedReturn({ ...ad, learnedUplift: 0.5 }, score)).toEqual({
      incrementalValue: 0.5,
      cost: 2,
      value: -1.5,
    });
    const order = byExpectedReturn(
      [
        { ...ad, id: 'skipped', learnedUplift: 0.5 },
        { ...ad, id: 'explored', learnedUplift: 1, exploring: true },
        { ...ad, id: 'constant' }, // 10 - 2
        { ...ad, id: 'learned', learnedUplift: 30 },
      ],
      score,
    ).map((entry) => entry.campaign.id);
    expect(order).toEqual(['learned', 'constant', 'explored']);
  });
});
