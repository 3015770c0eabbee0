import { createHash } from 'node:crypto';

export type Group = 'treated' | 'control';

/**
 * Deterministic randomisation: the same customer in the same campaign always lands in the same group,
 * so a replay assigns the same groups and the control stays clean. Uniform over [0, 1) from SHA-256.
 */
export function assignGroup(campaignId: string, customerId: string, controlShare: number): Group {
  if (!(controlShare >= 0 && controlShare <= 1)) throw new RangeError(`controlShare ${controlShare} is not in [0, 1]`);
  const digest = createHash('sha256').update(`${campaignId}\u0000${customerId}`).digest();
  const uniform = digest.readUInt32BE(0) / 2 ** 32;
  return uniform < controlShare ? 'control' : 'treated';
}

/**
 * Whether a customer falls in a campaign's exploration share: decided even where the learned uplift says the action
 * does not pay, so the campaign keeps seeing every kind of customer it could learn from. Deterministic, and
 * independent of the control group draw.
 */
export function explores(campaignId: string, customerId: string, explorationShare: number): boolean {
  return assignGroup(`${campaignId}\u0000exploration`, customerId, explorationShare) === 'control';
}
