import { rfmAverage } from './rfm-average';

describe('rfmAverage', () => {
  it('extrapolates the historical spend rate and repeat rate over the horizon', () => {
    // $120 over 40 weeks = $3 a week; 2 repeats over 40 weeks = 0.05 a week
    const prediction = rfmAverage({ calibrationSpend: 120, repeatCount: 2, observedTime: 40 }, 10);
    expect(prediction.expectedSpend).toBeCloseTo(30, 12);
    expect(prediction.probabilityOfPurchase).toBeCloseTo(1 - Math.exp(-0.5), 14);
  });

  it('gives a one-time buyer spend but no chance of buying again', () => {
    const prediction = rfmAverage({ calibrationSpend: 50, repeatCount: 0, observedTime: 10 }, 5);
    expect(prediction.expectedSpend).toBe(25);
    expect(prediction.probabilityOfPurchase).toBe(0);
  });

  it('rejects an empty observation window', () => {
    expect(() => rfmAverage({ calibrationSpend: 50, repeatCount: 0, observedTime: 0 }, 5)).toThrow(RangeError);
  });
});
