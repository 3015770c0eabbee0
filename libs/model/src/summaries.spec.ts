import { SummaryBuilder, summarize, type Transaction } from './summaries';

const CUTOFF = new Date('2024-01-29T00:00:00Z');
const buy = (customerId: string, time: string, amount: number): Transaction => ({
  customerId,
  time: new Date(time),
  amount,
});
const transactions = [
  buy('a', '2024-02-11T23:59:00Z', 3), // holdout, last day of a 14-day horizon
  buy('a', '2024-01-08T12:00:00Z', 20),
  buy('b', '2024-02-01T00:00:00Z', 40), // holdout only: not a customer at the cutoff
  buy('a', '2024-01-01T15:00:00Z', 5), // same day as the next one: merged
  buy('a', '2024-01-01T10:00:00Z', 10),
  buy('a', '2024-02-12T00:00:00Z', 100), // after the holdout: ignored
  buy('c', '2024-01-28T23:00:00Z', 12), // first purchase on the last calibration day
  buy('a', '2024-01-29T00:00:00Z', 7), // holdout, first instant
  buy('a', '2024-01-22T08:00:00Z', 30),
];

describe('summarize', () => {
  const [a, c] = summarize(transactions, { cutoff: CUTOFF, horizonDays: 14, unit: 'days' });

  it('keeps customers with a calibration purchase, in order of appearance', () => {
    expect(summarize(transactions, { cutoff: CUTOFF, horizonDays: 14, unit: 'days' }).map((s) => s.customerId)).toEqual(
      ['a', 'c'],
    );
  });

  it('counts repeat purchase days, recency and age in days', () => {
    // purchase days Jan 1 (two merged), Jan 8, Jan 22; last calibration day Jan 28
    expect(a).toMatchObject({
      repeatCount: 2,
      lastRepeatTime: 21,
      age: 27,
      observedTime: 28,
      calibrationSpend: 65,
      meanRepeatValue: 25, // (20 + 30) / 2: the merged first day ($15) is not a repeat
      firstPurchase: new Date('2024-01-01T00:00:00Z'),
    });
  });

  it('measures the holdout target in [cutoff, cutoff + horizon)', () => {
    expect(a).toMatchObject({ holdoutTransactions: 2, holdoutSpend: 10, holdoutBought: true });
  });

  it('handles a customer who first bought on the last day', () => {
    expect(c).toMatchObject({
      repeatCount: 0,
      lastRepeatTime: 0,
      age: 0,
      observedTime: 1,
      meanRepeatValue: 0,
      holdoutTransactions: 0,
      holdoutSpend: 0,
      holdoutBought: false,
    });
  });

  it('converts to weeks', () => {
    const [weekly] = summarize(transactions, { cutoff: CUTOFF, horizonDays: 14, unit: 'weeks' });
    expect(weekly.lastRepeatTime).toBe(3);
    expect(weekly.age).toBeCloseTo(27 / 7, 14);
    expect(weekly.observedTime).toBe(4);
  });

  it('does not depend on the order of the transactions', () => {
    const reversed = summarize([...transactions].reverse(), { cutoff: CUTOFF, horizonDays: 14, unit: 'days' });
    expect(reversed.find((s) => s.customerId === 'a')).toEqual(a);
  });
});

describe('SummaryBuilder', () => {
  it('rejects bad options and bad transactions', () => {
    expect(() => new SummaryBuilder({ cutoff: new Date('nope'), horizonDays: 1, unit: 'days' })).toThrow(RangeError);
    expect(() => new SummaryBuilder({ cutoff: CUTOFF, horizonDays: 0, unit: 'days' })).toThrow(RangeError);
    const builder = new SummaryBuilder({ cutoff: CUTOFF, horizonDays: 14, unit: 'days' });
    expect(() => builder.add(buy('a', 'nope', 1))).toThrow(/invalid time/);
    expect(() => builder.add(buy('a', '2024-01-01T00:00:00Z', Number.NaN))).toThrow(/not a number/);
  });
});
