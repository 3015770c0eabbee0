/**
 * What the buy-till-you-die models need to know of one customer's calibration period, in one time unit (weeks for
 * CDNOW). Time 0 is the customer's first purchase, which is not counted as a repeat.
 */
export interface RepeatPurchaseSummary {
  /** x: repeat transactions (purchase days after the first one) in the calibration period. */
  repeatCount: number;
  /** t_x: time of the last repeat transaction since the first purchase; 0 when there is none. */
  lastRepeatTime: number;
  /** T: time from the first purchase to the end of the calibration period. */
  age: number;
}

/** A customer's calibration summary with the monetary part the spend models need. */
export interface SpendSummary extends RepeatPurchaseSummary {
  /** Mean value of the repeat transactions (0 when there is none): the Gamma-Gamma input, z̄. */
  meanRepeatValue: number;
}
