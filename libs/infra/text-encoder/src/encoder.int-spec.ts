/**
 * @jest-environment ./tools/jest/native-typed-arrays.environment.js
 */
/**
 * The real sentence encoder, as `npm run nlp:model` stages it (`npm test` stages it first; CI with --strict, so a
 * missing model fails here rather than passing on the lexicon).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_TEXT_MODEL_DIR,
  loadSentenceEncoder,
  SENTENCE_ENCODER,
  textModelStatus,
  type SentenceEncoder,
} from './encoder';

jest.setTimeout(60_000);

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i], 0);

describe('the staged sentence encoder (all-MiniLM-L6-v2, int8 ONNX)', () => {
  let encoder: SentenceEncoder;

  beforeAll(async () => {
    const status = textModelStatus(DEFAULT_TEXT_MODEL_DIR);
    if (!status.ready) throw new Error(`run \`npm run nlp:model\` first: ${status.reason}`);
    encoder = await loadSentenceEncoder(DEFAULT_TEXT_MODEL_DIR);
  });
  afterAll(() => encoder?.close());

  it('puts texts that mean the same near each other and apart from the opposite', async () => {
    const [late, damaged, love] = await encoder.encode([
      'the delivery was late and the product broke',
      'terrible purchase, item arrived damaged',
      'I love this dress, fits perfectly',
    ]);
    expect(encoder.dimensions).toBe(384);
    expect(Math.hypot(...late)).toBeCloseTo(1, 5);
    // The figures of an fp32 reference of the same model (../shared/notes/minilm-offline.md): 0.59 and 0.14.
    expect(cosine(late, damaged)).toBeGreaterThan(0.55);
    expect(cosine(late, love)).toBeLessThan(0.2);
  });

  it('gives each text the same vector alone or in a batch of any order, and cuts long texts at 256 pieces', async () => {
    const long = 'This blender is loud but it crushes ice well. '.repeat(200);
    const [alone] = await encoder.encode(['great value']);
    const batch = await encoder.encode([long, 'great value', 'x']);
    expect(cosine(alone, batch[1])).toBeGreaterThan(0.9999);
    const [longAlone] = await encoder.encode([long]);
    expect(cosine(longAlone, batch[0])).toBeGreaterThan(0.9999);
    expect(await encoder.encode([])).toEqual([]);
  });

  it('is refused when a staged file differs from its manifest, never half-used', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'cvp-text-model-'));
    try {
      cpSync(join(DEFAULT_TEXT_MODEL_DIR, SENTENCE_ENCODER), join(copy, SENTENCE_ENCODER), { recursive: true });
      expect(textModelStatus(copy).ready).toBe(true);
      writeFileSync(join(copy, SENTENCE_ENCODER, 'config.json'), '{}');
      const status = textModelStatus(copy);
      expect(status).toMatchObject({ ready: false, reason: expect.stringMatching(/config.json has SHA-256/) });
      await expect(loadSentenceEncoder(copy)).rejects.toThrow(/not available: .*config.json/);
      expect(textModelStatus(join(copy, 'nowhere'))).toMatchObject({ ready: false, reason: /npm run nlp:model/ });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
