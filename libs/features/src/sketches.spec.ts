import { dayBucket, dropDaysBefore, hash32, keepLargest, kmvAdd, kmvCount, sumDays } from './sketches';

describe('sketches', () => {
  it('hashes deterministically to unsigned 32-bit integers', () => {
    expect(hash32('p-1')).toBe(hash32('p-1'));
    expect(hash32('p-1')).not.toBe(hash32('p-2'));
    for (const text of ['', 'a', 'ação', 'x'.repeat(1000)]) {
      expect(Number.isInteger(hash32(text)) && hash32(text) >= 0 && hash32(text) < 2 ** 32).toBe(true);
    }
  });

  it('counts distinct values exactly below the capacity and estimates above it, whatever the order', () => {
    const values = Array.from({ length: 5000 }, (_, i) => hash32(`v-${i % 2500}`));
    const forward: number[] = [];
    const backward: number[] = [];
    values.forEach((value) => kmvAdd(forward, value, 64));
    [...values].reverse().forEach((value) => kmvAdd(backward, value, 64));
    expect(forward).toEqual(backward);
    expect(forward).toHaveLength(64);
    expect(Math.abs(kmvCount(forward, 64) - 2500) / 2500).toBeLessThan(0.3);
    const small: number[] = [];
    ['a', 'b', 'a', 'c'].forEach((value) => kmvAdd(small, hash32(value), 64));
    expect(kmvCount(small, 64)).toBe(3);
  });

  it('keeps the largest values of a multiset, whatever the order', () => {
    const kept: number[] = [];
    [5, 1, 9, 9, 3, 7].forEach((value) => keepLargest(kept, value, 3));
    expect(kept).toEqual([7, 9, 9]);
  });

  it('buckets by day, drops old days and sums a range of days', () => {
    const days: number[] = [];
    const amounts: number[] = [];
    for (const [day, amount] of [
      [10, 1],
      [12, 2],
      [11, 4],
      [12, 8],
      [5, 16],
    ])
      amounts[dayBucket(days, [amounts], day)] += amount;
    expect(days).toEqual([5, 10, 11, 12]);
    expect(amounts).toEqual([16, 1, 4, 10]);
    expect(sumDays(days, amounts, 10, 11)).toBe(5);
    dropDaysBefore(days, [amounts], 11);
    expect(days).toEqual([11, 12]);
    expect(amounts).toEqual([4, 10]);
  });
});
