/**
 * Policies over several actions valued on randomised data: the inverse-propensity estimate of the mean outcome had
 * every customer received what the policy chooses (Horvitz-Thompson): mean of 1[choice = arm received]·y / p(arm).
 */

export interface RandomisedRows {
  /** The action each row received ('none' for control). */
  arm: readonly string[];
  outcome: ArrayLike<number>;
  /** The probability each action was assigned with. */
  propensity: Readonly<Record<string, number>>;
}

export function policyValue(rows: RandomisedRows, choice: readonly string[]): number {
  const n = rows.arm.length;
  if (choice.length !== n || rows.outcome.length !== n) throw new RangeError('rows and choices differ in length');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (choice[i] !== rows.arm[i]) continue;
    const p = rows.propensity[rows.arm[i]];
    if (!(p > 0 && p <= 1)) throw new RangeError(`no propensity in (0, 1] for action "${rows.arm[i]}"`);
    sum += rows.outcome[i] / p;
  }
  return sum / n;
}

/**
 * Per customer, the action with the largest estimated gain (uplift minus cost, in the outcome's units), or 'none'
 * when no action gains: `gains[action][row]`.
 */
export function chooseActions(gains: Readonly<Record<string, ArrayLike<number>>>, rows: number): string[] {
  const actions = Object.keys(gains);
  return Array.from({ length: rows }, (_, i) => {
    let best = 'none';
    let bestGain = 0;
    for (const action of actions) {
      if (gains[action][i] > bestGain) {
        best = action;
        bestGain = gains[action][i];
      }
    }
    return best;
  });
}

/**
 * How much more policy `a` earns per customer than policy `b` on the same randomised rows (IPW), with the standard
 * error of that paired difference: rows where both choose alike add nothing to either.
 */
export function policyGain(
  rows: RandomisedRows,
  a: readonly string[],
  b: readonly string[],
): { estimate: number; standardError: number } {
  const n = rows.arm.length;
  if (a.length !== n || b.length !== n || rows.outcome.length !== n) {
    throw new RangeError('rows and choices differ in length');
  }
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const arm = rows.arm[i];
    const weight = rows.outcome[i] / rows.propensity[arm];
    const difference = (a[i] === arm ? weight : 0) - (b[i] === arm ? weight : 0);
    if (!Number.isFinite(difference)) throw new RangeError(`no propensity in (0, 1] for action "${arm}"`);
    sum += difference;
    squares += difference * difference;
  }
  const estimate = sum / n;
  const variance = n > 1 ? (squares - n * estimate * estimate) / (n - 1) : 0;
  return { estimate, standardError: Math.sqrt(Math.max(0, variance) / n) };
}
