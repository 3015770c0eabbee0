import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hillstromTestRows, readHillstrom } from './hillstrom';
import { syntheticHillstromCsv } from './synthetic-trial';

describe('readHillstrom', () => {
  const folder = mkdtempSync(join(tmpdir(), 'cvp-hillstrom-'));
  const header = 'recency,history_segment,history,mens,womens,zip_code,newbie,channel,segment,visit,conversion,spend';

  it('reads features in the protocol order, the arm as an action and the three outcomes', async () => {
    const file = join(folder, 'ok.csv');
    writeFileSync(
      file,
      `${header}\n10,"2) $100 - $200",142.44,1,0,Surburban,0,Phone,Womens E-Mail,0,0,0\n` +
        `6,"3) $200 - $350",329.08,1,1,Rural,1,Web,No E-Mail,1,1,29.99\n`,
    );
    const trial = await readHillstrom(file);
    expect(trial.featureNames).toEqual([
      'recency',
      'history',
      'mens',
      'womens',
      'newbie',
      'zip_Rural',
      'zip_Surburban',
      'zip_Urban',
      'channel_Multichannel',
      'channel_Phone',
      'channel_Web',
    ]);
    expect(trial.features[0]).toEqual([10, 142.44, 1, 0, 0, 0, 1, 0, 0, 1, 0]);
    expect(trial.arm).toEqual(['womens', 'none']);
    expect(trial.outcomes).toEqual({ visit: [0, 1], conversion: [0, 1], spend: [0, 29.99] });
  });

  it('fails on a bad row naming its line, and on a file of another shape', async () => {
    const bad = join(folder, 'bad.csv');
    writeFileSync(
      bad,
      `${header}\n10,x,142.44,1,0,Surburban,0,Phone,Womens E-Mail,0,0,0\n3,x,abc,1,0,Urban,0,Web,No E-Mail,0,0,0\n`,
    );
    await expect(readHillstrom(bad)).rejects.toThrow(/line 3: history "abc" is not valid/);
    const arm = join(folder, 'arm.csv');
    writeFileSync(arm, `${header}\n10,x,142.44,1,0,Surburban,0,Phone,SMS,0,0,0\n`);
    await expect(readHillstrom(arm)).rejects.toThrow(/segment "SMS" is not a Hillstrom arm/);
    const other = join(folder, 'other.csv');
    writeFileSync(other, 'a,b\n1,2\n');
    await expect(readHillstrom(other)).rejects.toThrow(/not a Hillstrom file/);
  });

  it('splits about 30% of each (arm, outcome) stratum into test, deterministically', async () => {
    const file = join(folder, 'trial.csv');
    writeFileSync(file, syntheticHillstromCsv(3000));
    const trial = await readHillstrom(file);
    const test = hillstromTestRows(trial);
    expect(hillstromTestRows(trial)).toEqual(test);
    for (const arm of ['none', 'mens', 'womens']) {
      const rows = trial.arm.flatMap((a, i) => (a === arm && trial.outcomes.visit[i] === 1 ? [i] : []));
      const share = rows.filter((i) => test[i]).length / rows.length;
      expect(share).toBeGreaterThan(0.29);
      expect(share).toBeLessThan(0.31);
    }
  });
});
