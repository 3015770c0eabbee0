import { textMetrics } from './metrics';

describe('textMetrics', () => {
  it('gives macro-F1 over the three classes, accuracy, AUC of positive vs negative and Spearman with stars', () => {
    const ratings = [1, 2, 3, 4, 5, 5];
    const predictions = [
      { label: 'negative' as const, score: -0.9 },
      { label: 'neutral' as const, score: -0.2 },
      { label: 'neutral' as const, score: 0 },
      { label: 'positive' as const, score: 0.5 },
      { label: 'positive' as const, score: 0.9 },
      { label: 'positive' as const, score: 0.8 },
    ];
    const metrics = textMetrics(ratings, predictions);
    // negative: tp 1, predicted 1, present 2 -> 2/3; neutral: tp 1, predicted 2, present 1 -> 2/3; positive: 1
    expect(metrics.macroF1).toBeCloseTo((2 / 3 + 2 / 3 + 1) / 3, 12);
    expect(metrics.accuracy).toBeCloseTo(5 / 6, 12);
    expect(metrics.auc).toBe(1);
    expect(metrics.spearman).toBeGreaterThan(0.9);
  });

  it('refuses mismatched or empty input', () => {
    expect(() => textMetrics([1], [])).toThrow(RangeError);
    expect(() => textMetrics([], [])).toThrow(RangeError);
  });
});
