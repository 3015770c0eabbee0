import { balancedWeights, fitSoftmax, softmaxProbabilities } from './softmax';

const one = (index: number) => ({ indices: [index], values: [1] });

describe('fitSoftmax', () => {
  it('learns which feature goes with which class', async () => {
    const examples = [one(0), one(0), one(1), one(1), one(2), one(2)];
    const model = await fitSoftmax(examples, [0, 0, 1, 1, 2, 2], 3, 3, { c: 10 });
    [0, 1, 2].forEach((k) => {
      const p = softmaxProbabilities(model, one(k));
      expect(p.indexOf(Math.max(...p))).toBe(k);
      expect(p[k]).toBeGreaterThan(0.8);
    });
  });

  it('stops at the penalised optimum: its gradient vanishes', async () => {
    // Overlapping classes: feature 0 is mostly class 0, feature 1 is mixed.
    const examples = [one(0), one(0), one(0), one(1), one(1), one(0), one(1)];
    const labels = [0, 0, 1, 1, 0, 0, 1];
    const c = 2;
    const model = await fitSoftmax(examples, labels, 2, 2, { c, exampleWeights: labels.map(() => 1) });
    // d/dw_k,j = Σ_i (p_ik - y_ik) x_ij + w_kj / C
    for (let k = 0; k < 2; k++) {
      for (let j = 0; j < 2; j++) {
        let gradient = model.weights[k * 2 + j] / c;
        examples.forEach((x, i) => {
          const p = softmaxProbabilities(model, x);
          if (x.indices[0] === j) gradient += p[k] - (labels[i] === k ? 1 : 0);
        });
        expect(Math.abs(gradient)).toBeLessThan(1e-3);
      }
    }
  });

  it('weighs classes so that each counts as much in total', () => {
    expect(balancedWeights([0, 0, 0, 1], 2)).toEqual([4 / 6, 4 / 6, 4 / 6, 2]);
  });

  it('refuses labels out of range and empty input', async () => {
    await expect(fitSoftmax([one(0)], [3], 3, 1, { c: 1 })).rejects.toThrow(RangeError);
    await expect(fitSoftmax([], [], 3, 1, { c: 1 })).rejects.toThrow(RangeError);
  });
});
