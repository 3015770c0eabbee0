import { fitNormalization, MAX_Z, normalizeRows } from './normalization';

describe('normalization', () => {
  it('standardises after log1p, and clips a customer far outside the training range', () => {
    const names = ['monetaryTotal', 'hourShare20to23'];
    const rows = Array.from({ length: 100 }, (_, i) => [100 + i, i % 50 === 0 ? 0.01 : 0]);
    const normalization = fitNormalization(rows, names);
    expect(normalization.log1p).toEqual([true, false]);
    const [typicalMoney, typicalShare] = normalizeRows([[150, 0]], normalization);
    expect(Math.abs(typicalMoney)).toBeLessThan(1);
    expect(Math.abs(typicalShare)).toBeLessThan(1);
    // A share nearly constant in training (std 0.0014) and a spend 10,000 times the usual: both clipped.
    const extreme = normalizeRows([[1_500_000, 0.9]], normalization);
    expect([...extreme]).toEqual([MAX_Z, MAX_Z]);
    expect([...normalizeRows([[0, -5]], normalization)].every((z) => z >= -MAX_Z)).toBe(true);
  });
});
