import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from './backend';
import { loadZilnModel, saveZilnModel } from './fs-io';
import { trainZiln } from './model';
import { syntheticExamples } from './synthetic-examples';

describe('ZILN artifacts', () => {
  let folder: string;
  beforeAll(async () => {
    await selectBackend('cpu', () => undefined);
    folder = await mkdtemp(join(tmpdir(), 'ziln-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('saves to a folder and loads back the same predictions', async () => {
    const { rows, labels } = syntheticExamples(120, 5);
    const { model } = await trainZiln(rows, labels, ['monetaryTotal', 'level', 'noise'], {
      hiddenUnits: [8, 8],
      maxEpochs: 2,
      seed: 3,
    });
    const metadata = { featureSchemaVersion: 'features@2', horizonDays: 90, seed: 3, metrics: { gini: 0.5 } };
    await saveZilnModel(folder, model, metadata);
    expect((await readdir(folder)).sort()).toEqual([
      'metadata.json',
      'model.json',
      'normalization.json',
      'weights.bin',
    ]);
    const loaded = await loadZilnModel(folder);
    expect(loaded.metadata).toEqual(metadata);
    expect(loaded.model.normalization).toEqual(model.normalization);
    expect(loaded.model.normalization.log1p).toEqual([true, false, false]);
    expect(loaded.model.predict(rows)).toEqual(model.predict(rows));
    model.dispose();
    loaded.model.dispose();
  });
});
