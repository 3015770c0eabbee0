/** What the historical-average predictor reads of a customer (see `CustomerSummary`). */
export interface HistoricalSummary {
  /** Spend in the calibration period, first purchase included. */
  calibrationSpend: number;
  /** x: repeat transactions (purchase days after the first) in the calibration period. */
  repeatCount: number;
  /** Time from the start of the first purchase day to the cutoff (> 0), in the unit of the horizon. */
  observedTime: number;
}

export interface RfmAveragePrediction {
  expectedSpend: number;
  probabilityOfPurchase: number;
}

/**
 * The plain historical-average predictor, the "the past goes on" baseline:
 * - spend rate = calibrationSpend / observedTime (all spend, first purchase included, per unit of time since the
 *   start of the first purchase day up to the cutoff), expectedSpend = spend rate × horizon;
 * - repeat rate = repeatCount / observedTime, probabilityOfPurchase = 1 - exp(-repeat rate × horizon), the chance
 *   of at least one purchase for a Poisson process at the customer's historical repeat rate (0 for a customer who
 *   never came back).
 * No dropout, no shrinkage towards the population: what BG/NBD + Gamma-Gamma must beat.
 */
export function rfmAverage(customer: HistoricalSummary, horizon: number): RfmAveragePrediction {
  if (!(customer.observedTime > 0)) throw new RangeError(`observedTime must be > 0, got ${customer.observedTime}`);
  if (!(horizon >= 0 && Number.isFinite(horizon))) throw new RangeError(`horizon must be >= 0, got ${horizon}`);
  const spendRate = customer.calibrationSpend / customer.observedTime;
  const repeatRate = customer.repeatCount / customer.observedTime;
  return { expectedSpend: spendRate * horizon, probabilityOfPurchase: -Math.expm1(-repeatRate * horizon) };
}
