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
