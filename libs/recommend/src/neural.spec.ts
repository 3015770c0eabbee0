import { selectBackend } from '@cvp/model';
import {
  blend,
  interactionsOf,
  popularity,
  recommend,
  recommendMany,
  recommenderArtifact,
  recommenderBuilder,
  ServedRecommender,
} from './index';
import { DEFAULT_NEURAL_OPTIONS, trainNeural, neuralRecommender, type NeuralOptions } from './neural';
import type { PurchaseLine } from './interactions';
import type { RecommenderSpec } from './selection';

const DAY = 86_400_000;
const at = (day: number) => Date.UTC(2024, 0, 1) + day * DAY;

// Two groups of products bought together; each customer buys three of their group's four.
const lines: PurchaseLine[] = [];
for (let c = 0; c < 120; c++) {
  const group = c % 2 === 0 ? ['a', 'b', 'c', 'd'] : ['w', 'x', 'y', 'z'];
  for (let k = 0; k < 3; k++)
    lines.push({ customerId: `c${c}`, itemId: group[(c + k) % 4], atMs: at(k * 10 + (c % 5)) });
}
const options: NeuralOptions = { ...DEFAULT_NEURAL_OPTIONS, dims: 8, epochs: 40, batchSize: 32, learningRate: 0.02 };
const data = interactionsOf(lines, at(100));

describe('the neural recommender (denoising autoencoder in TensorFlow.js)', () => {
  beforeAll(() => selectBackend('cpu', () => undefined));

  it('learns which items go together: the missing item of a customer’s group first, none of the other group', async () => {
    const weights = await trainNeural(data, options);
    expect(weights.kept).toHaveLength(8);
    expect(weights.inputWeights).toHaveLength(8 * options.dims);
    const model = neuralRecommender('neural', weights, data.catalog.size);
    for (const customerId of ['c0', 'c1', 'c2', 'c3']) {
      const history = data.histories.get(customerId)!;
      const [first] = recommend(model, data, history, 1, new Set(history.items));
      const own = customerId === 'c0' || customerId === 'c2' ? 'abcd' : 'wxyz';
      expect(own).toContain(data.catalog.ids[first]);
    }
    // Seeded: the same data and settings learn the same weights.
    expect((await trainNeural(data, options)).outputBias).toEqual(weights.outputBias);
  });

  it('is served from its artifact with the lists it made in training', async () => {
    const neural: RecommenderSpec = { kind: 'neural', ...options };
    const spec: RecommenderSpec = { kind: 'then', primary: { kind: 'buy-again' }, fill: neural };
    const build = recommenderBuilder(data);
    const model = await build(spec);
    const trained = {
      model,
      spec,
      data,
      neuralWeights: build.neuralWeights,
      validation: { cutoff: new Date(at(70)).toISOString(), days: 30, customers: 0, candidates: [] },
      verdict: { publish: true, reason: 'no recommender is published yet', served: null },
    };
    const artifact = JSON.parse(JSON.stringify(recommenderArtifact(trained)));
    expect(Object.keys(artifact.neural)).toEqual([JSON.stringify(neural)]);
    const served = new ServedRecommender(artifact, 'v1');
    for (const customerId of ['c0', 'c1', 'c7']) {
      const history = data.histories.get(customerId);
      const expected = recommend(model, data, history, 6).map((item) => data.catalog.ids[item]);
      expect(served.recommend(history, [], 6)).toEqual(expected);
    }
    const { neural: _dropped, ...withoutWeights } = artifact;
    expect(() => new ServedRecommender(withoutWeights, 'v1')).toThrow(/lacks the weights/);
  });

  it('scores a batch as one matrix product with the lists it gives one customer at a time (cpu and wasm)', async () => {
    const weights = await trainNeural(data, options);
    const model = blend([
      { model: neuralRecommender('neural', weights, data.catalog.size), weight: 0.7 },
      { model: popularity(data), weight: 0.3 },
    ]);
    const customers = [...data.histories.values()].slice(0, 40);
    const queries = [undefined, ...customers].map((history) => ({ history, n: 5 }));
    for (const backend of ['cpu', 'wasm'] as const) {
      expect(await selectBackend(backend, () => undefined)).toBe(backend);
      const batch = recommendMany(model, data, queries);
      expect(batch).toEqual(queries.map(({ history }) => recommend(model, data, history, 5)));
      // The same numbers as the per-customer loop, to float32's precision.
      const [one, many] = [new Float64Array(data.catalog.size), new Float64Array(data.catalog.size)];
      model.score(customers[0], one);
      const rows = customers.map(() => new Float64Array(data.catalog.size));
      model.scoreMany!(customers, rows);
      many.set(rows[0]);
      one.forEach((value, i) => expect(many[i]).toBeCloseTo(value, 5));
    }
    await selectBackend('cpu', () => undefined);
  });
});
