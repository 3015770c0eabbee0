import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend, syntheticExamples, trainZiln } from '@cvp/model';
import { loadZilnModel, saveZilnModel } from './fs-io';
import { artifactChecksum, artifactPath, ArtifactRefused, ModelStore } from './model-store';

// CPU-bound training: generous under a loaded machine; speed is measured in bench/, not here.
jest.setTimeout(60_000);

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

describe('ModelStore', () => {
  let root: string;
  beforeAll(async () => {
    await selectBackend('cpu', () => undefined);
    root = await mkdtemp(join(tmpdir(), 'model-store-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes a version under its own folder, returns a file URI that loads it, and never overwrites', async () => {
    const { rows, labels } = syntheticExamples(60, 9);
    const { model } = await trainZiln(rows, labels, ['monetaryTotal', 'level', 'noise'], {
      hiddenUnits: [4],
      maxEpochs: 1,
      seed: 9,
    });
    const store = new ModelStore(root);
    const { uri, sha256 } = await store.save('ziln@20261123T000000Z', model, { version: 'ziln@20261123T000000Z' });
    expect(uri).toBe(`file://${join(root, 'ziln@20261123T000000Z')}`);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await artifactChecksum(join(root, 'ziln@20261123T000000Z'))).toBe(sha256);
    expect(await readdir(root)).toEqual(['ziln@20261123T000000Z']);
    const loaded = await store.load<{ version: string }>(uri, sha256);
    expect(loaded.metadata.version).toBe('ziln@20261123T000000Z');
    expect(loaded.model.predict(rows)).toEqual(model.predict(rows));
    await expect(store.save('ziln@20261123T000000Z', model, {})).rejects.toThrow(/already holds/);
    expect(await readdir(root)).toEqual(['ziln@20261123T000000Z']);
    model.dispose();
    loaded.model.dispose();
  });

  it('refuses an artifact outside the store, through a link, or whose bytes changed', async () => {
    const { rows, labels } = syntheticExamples(40, 3);
    const { model } = await trainZiln(rows, labels, ['monetaryTotal', 'level', 'noise'], {
      hiddenUnits: [2],
      maxEpochs: 1,
      seed: 3,
    });
    const outside = await mkdtemp(join(tmpdir(), 'elsewhere-'));
    try {
      const store = new ModelStore(root);
      const other = await new ModelStore(outside).save('evil', model, { version: 'evil' });
      await expect(store.load(other.uri, other.sha256)).rejects.toThrow(/outside the model store/);
      await expect(store.load(`file://${root}/../${outside.split('/').pop()}/evil`, other.sha256)).rejects.toThrow(
        /outside the model store/,
      );
      await symlink(join(outside, 'evil'), join(root, 'linked'));
      await expect(store.load(`file://${join(root, 'linked')}`, other.sha256)).rejects.toThrow(
        /outside the model store/,
      );
      await expect(store.load(`file://${join(root, 'missing')}`, other.sha256)).rejects.toThrow(ArtifactRefused);

      const mine = await store.save('ziln@tampered', model, { version: 'ziln@tampered' });
      await writeFile(join(root, 'ziln@tampered', 'metadata.json'), '{"version":"ziln@tampered","evil":true}');
      await expect(store.load(mine.uri, mine.sha256)).rejects.toThrow(/hashes to .*, the registry recorded/);
    } finally {
      model.dispose();
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('rejects URIs it cannot read', () => {
    expect(() => artifactPath('s3://bucket/model')).toThrow(/only file:\/\//);
    expect(() => artifactPath('not a uri')).toThrow(/not a URI/);
  });
});
