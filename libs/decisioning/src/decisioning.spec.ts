import { assignGroup, audienceRuleSchema, eligibility, explores, matchesAudience, type CampaignTerms } from './index';

const winBack = {
  all: [
    { field: 'tier', op: 'eq', value: 'high' },
    { field: 'churnRisk', op: 'gt', value: 0.6 },
  ],
};

describe('audience rules', () => {
  it('matches tier = high AND churnRisk > 0.6', () => {
    const rule = audienceRuleSchema.parse(winBack);
    expect(matchesAudience(rule, { tier: 'high', churnRisk: 0.7 })).toBe(true);
    expect(matchesAudience(rule, { tier: 'high', churnRisk: 0.5 })).toBe(false);
    expect(matchesAudience(rule, { tier: 'mid', churnRisk: 0.9 })).toBe(false);
    expect(matchesAudience(rule, { tier: 'high' })).toBe(false);
  });

  it('supports any, not, in and between', () => {
    const rule = audienceRuleSchema.parse({
      any: [
        { field: 'expectedSpend', op: 'between', value: [100, 200] },
        { not: { field: 'tier', op: 'in', value: ['high', 'mid'] } },
      ],
    });
    expect(matchesAudience(rule, { expectedSpend: 150, tier: 'high' })).toBe(true);
    expect(matchesAudience(rule, { expectedSpend: 250, tier: 'low' })).toBe(true);
    expect(matchesAudience(rule, { expectedSpend: 250, tier: 'mid' })).toBe(false);
  });

  it('rejects malformed rules with a reason', () => {
    expect(audienceRuleSchema.safeParse({ field: 'x', op: 'gt', value: 'high' }).success).toBe(false);
    expect(audienceRuleSchema.safeParse({ field: 'x', op: 'between', value: [5, 1] }).success).toBe(false);
    expect(audienceRuleSchema.safeParse({ all: [] }).success).toBe(false);
  });
});

describe('control group assignment', () => {
  it('is deterministic per campaign and customer', () => {
    expect(assignGroup('camp', 'cust-1', 0.5)).toBe(assignGroup('camp', 'cust-1', 0.5));
  });

  it('puts about the control share in control', () => {
    let control = 0;
    for (let i = 0; i < 20_000; i++) if (assignGroup('camp', `cust-${i}`, 0.1) === 'control') control++;
    expect(control / 20_000).toBeGreaterThan(0.09);
    expect(control / 20_000).toBeLessThan(0.11);
  });

  it('draws the exploration share apart from the control group', () => {
    let explored = 0;
    let exploredControl = 0;
    for (let i = 0; i < 20_000; i++) {
      if (!explores('camp', `cust-${i}`, 0.2)) continue;
      explored++;
      if (assignGroup('camp', `cust-${i}`, 0.5) === 'control') exploredControl++;
    }
    expect(explored / 20_000).toBeGreaterThan(0.19);
    expect(explored / 20_000).toBeLessThan(0.21);
    expect(exploredControl / explored).toBeGreaterThan(0.47); // independent draws: half of the explored in control
    expect(exploredControl / explored).toBeLessThan(0.53);
    expect(explores('camp', 'x', 0)).toBe(false);
  });

  it('honours the extremes and refuses nonsense', () => {
    expect(assignGroup('camp', 'x', 0)).toBe('treated');
    expect(assignGroup('camp', 'x', 1)).toBe('control');
    expect(() => assignGroup('camp', 'x', 1.5)).toThrow(RangeError);
  });
});

describe('eligibility', () => {
  const campaign: CampaignTerms = {
    id: 'c1',
    status: 'active',
    audience: audienceRuleSchema.parse(winBack),
    startsAt: new Date('2026-01-01T00:00:00Z'),
    endsAt: new Date('2027-01-01T00:00:00Z'),
    priority: 1,
    frequencyCap: 2,
    cooldownSeconds: 7 * 86_400,
  };
  const facts = { tier: 'high', churnRisk: 0.8 };
  const at = new Date('2026-06-01T00:00:00Z');
  const none = { lastEventTime: null, treatedCount: 0 };

  it('accepts an audience member with no history', () => {
    expect(eligibility(campaign, facts, at, none)).toEqual({ eligible: true });
  });

  it('says why it refuses', () => {
    expect(eligibility({ ...campaign, status: 'paused' }, facts, at, none)).toEqual({
      eligible: false,
      reason: 'inactive',
    });
    expect(eligibility(campaign, facts, new Date('2027-02-01T00:00:00Z'), none)).toMatchObject({
      reason: 'outside_window',
    });
    expect(eligibility(campaign, { tier: 'low', churnRisk: 0.8 }, at, none)).toMatchObject({
      reason: 'not_in_audience',
    });
    const recent = { lastEventTime: new Date('2026-05-30T00:00:00Z'), treatedCount: 1 };
    expect(eligibility(campaign, facts, at, recent)).toMatchObject({ reason: 'cooldown' });
    const capped = { lastEventTime: new Date('2026-01-30T00:00:00Z'), treatedCount: 2 };
    expect(eligibility(campaign, facts, at, capped)).toMatchObject({ reason: 'frequency_cap' });
  });
});

describe('ruleFields', () => {
  it('lists every field a rule reads, at any depth', async () => {
    const { ruleFields } = await import('./audience-rule');
    const rule = {
      all: [
        { field: 'monetaryTotal', op: 'gte' as const, value: 500 },
        {
          any: [
            { field: 'churnRisk', op: 'gt' as const, value: 0.6 },
            { not: { field: 'tier', op: 'eq' as const, value: 'low' } },
          ],
        },
      ],
    };
    expect([...ruleFields(rule)].sort()).toEqual(['churnRisk', 'monetaryTotal', 'tier']);
  });
});
