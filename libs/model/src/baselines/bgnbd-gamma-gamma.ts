import type { SpendSummary } from '../types';
import { conditionalExpectation, probabilityAlive, probabilityOfPurchase, type BgNbdParams } from './bgnbd';
import { expectedAverageValue, type GammaGammaParams } from './gamma-gamma';

export interface CustomerValuePrediction {
  /** E[transactions in (T, T + horizon]], BG/NBD. */
  expectedTransactions: number;
  /** E[value of a transaction], Gamma-Gamma (the population mean for a customer without repeat purchases). */
  expectedAverageValue: number;
  /** expectedTransactions × expectedAverageValue: spend in the horizon (the two models are independent). */
  expectedSpend: number;
  probabilityAlive: number;
  /** P(at least one transaction in the horizon), BG/NBD. */
  probabilityOfPurchase: number;
}

/** The classic spend forecast: BG/NBD's expected transactions times Gamma-Gamma's expected value of each. */
export function predictCustomerValue(
  bgnbd: BgNbdParams,
  gammaGamma: GammaGammaParams,
  customer: SpendSummary,
  horizon: number,
): CustomerValuePrediction {
  const transactions = conditionalExpectation(bgnbd, customer, horizon).value;
  const averageValue = expectedAverageValue(gammaGamma, customer);
  return {
    expectedTransactions: transactions,
    expectedAverageValue: averageValue,
    expectedSpend: transactions * averageValue,
    probabilityAlive: probabilityAlive(bgnbd, customer),
    probabilityOfPurchase: probabilityOfPurchase(bgnbd, customer, horizon),
  };
}
