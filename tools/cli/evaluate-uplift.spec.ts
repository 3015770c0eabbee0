import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hillstromTestRows, readHillstrom, syntheticHillstromCsv } from '@cvp/datasets';
import { evaluateUplift } from '@cvp/uplift';
import { upliftHtmlReport, upliftSummary } from './evaluate-uplift';

describe('evaluate-uplift on a small trial in the Hillstrom layout', () => {
  it('prints the served model, peers and random per task, policy values, and draws Qini curves and deciles', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cvp-uplift-')), 'trial.csv');
    writeFileSync(file, syntheticHillstromCsv(6000, 3));
    const trial = await readHillstrom(file);
    const result = evaluateUplift(trial, {
      test: hillstromTestRows(trial),
      peerFeature: 'history',
      propensity: { none: 1 / 3, mens: 1 / 3, womens: 1 / 3 },
      learners: [
        { learner: 's-learner', basis: 'linear' },
        { learner: 'transformed-outcome', basis: 'linear' },
      ],
    });
    const summary = upliftSummary(result) as { served: string; tasks: Record<string, { models: object }> };
    expect(summary.served).toBe('cvp-uplift');
    expect(Object.keys(summary.tasks).sort()).toEqual(
      ['mens', 'womens'].flatMap((arm) => ['conversion', 'spend', 'visit'].map((o) => `${arm}-${o}`)).sort(),
    );
    const womensVisit = result.tasks['womens-visit'];
    expect(Object.keys(womensVisit.models)).toEqual([
      'cvp-uplift',
      's-learner(linear)',
      'transformed-outcome(linear)',
      'peer(history)',
      'random',
    ]);
    // The women's e-mail lifts one kind of customer: the learned ranking finds them, history and chance do not.
    expect(womensVisit.models['cvp-uplift'].qini).toBeGreaterThan(womensVisit.models['peer(history)'].qini + 0.1);
    expect(womensVisit.models['cvp-uplift'].qini).toBeGreaterThan(womensVisit.models.random.qini + 0.1);
    expect(womensVisit.deciles['cvp-uplift'][0].uplift).toBeGreaterThan(womensVisit.deciles['cvp-uplift'][9].uplift);
    // How far the test rows' own noise moves it: an interval around the served Qini, a lead over the peer with its error.
    const { qini, leadOverPeer } = womensVisit.testInterval;
    expect(qini.standardError).toBeGreaterThan(0);
    expect(qini.low).toBeLessThanOrEqual(womensVisit.models['cvp-uplift'].qini);
    expect(qini.high).toBeGreaterThanOrEqual(womensVisit.models['cvp-uplift'].qini);
    expect(leadOverPeer?.estimate).toBeCloseTo(
      womensVisit.models['cvp-uplift'].qini - womensVisit.models['peer(history)'].qini,
      3,
    );
    expect(leadOverPeer?.standardError).toBeGreaterThan(0);
    expect(Object.keys(result.policy.visit)).toEqual([
      'learned',
      'perCustomer',
      'everyoneMens',
      'everyoneWomens',
      'none',
    ]);
    // Giving each customer their best e-mail beats giving everyone one of them, and sending nothing.
    expect(result.policy.visit.perCustomer).toBeGreaterThan(result.policy.visit.everyoneWomens);
    expect(result.policy.visit.none).toBeLessThan(result.policy.visit.everyoneMens);
    expect(JSON.stringify(summary)).not.toContain('curves');
    const html = upliftHtmlReport(result, file);
    expect(html).toContain('<svg');
    expect(html).toContain('Qini curves: womens-visit');
    expect(html).toContain('Measured uplift by decile');
  });
});
