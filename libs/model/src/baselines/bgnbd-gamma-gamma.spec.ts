import { expectedTransactions, probabilityAlive, probabilityOfPurchase } from './bgnbd';
import { predictCustomerValue } from './bgnbd-gamma-gamma';
import { expectedAverageValue } from './gamma-gamma';

describe('predictCustomerValue', () => {
  it('multiplies expected transactions by the expected value of each', () => {
    const bgnbd = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const gammaGamma = { p: 6.25, q: 3.74, gamma: 15.44 };
    const customer = { repeatCount: 2, lastRepeatTime: 30.43, age: 38.86, meanRepeatValue: 22.35 };
    const prediction = predictCustomerValue(bgnbd, gammaGamma, customer, 39);
    expect(prediction.expectedTransactions).toBe(expectedTransactions(bgnbd, customer, 39));
    expect(prediction.expectedAverageValue).toBe(expectedAverageValue(gammaGamma, customer));
    expect(prediction.expectedSpend).toBeCloseTo(prediction.expectedTransactions * prediction.expectedAverageValue, 12);
    expect(prediction.probabilityAlive).toBe(probabilityAlive(bgnbd, customer));
    expect(prediction.probabilityOfPurchase).toBe(probabilityOfPurchase(bgnbd, customer, 39));
  });
});
