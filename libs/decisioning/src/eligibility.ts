import { matchesAudience, type AudienceRule, type Facts } from './audience-rule';

export interface CampaignTerms {
  id: string;
  status: 'draft' | 'active' | 'paused' | 'ended';
  audience: AudienceRule;
  startsAt: Date;
  endsAt: Date | null;
  priority: number;
  frequencyCap: number;
  cooldownSeconds: number;
}

export interface PastDecisions {
  /** Event time of the newest decision (either group) for this customer in this campaign. */
  lastEventTime: Date | null;
  /** Treated decisions so far for this customer in this campaign. */
  treatedCount: number;
}

export type Ineligible = 'inactive' | 'outside_window' | 'not_in_audience' | 'cooldown' | 'frequency_cap';

/**
 * Whether a campaign may act on a customer at `eventTime` (the score's event time, so replays decide the
 * same way as live traffic). Budget is checked separately, atomically, where it is spent.
 */
export function eligibility(
  campaign: CampaignTerms,
  facts: Facts,
  eventTime: Date,
  past: PastDecisions,
): { eligible: true } | { eligible: false; reason: Ineligible } {
  if (campaign.status !== 'active') return { eligible: false, reason: 'inactive' };
  if (eventTime < campaign.startsAt || (campaign.endsAt && eventTime >= campaign.endsAt)) {
    return { eligible: false, reason: 'outside_window' };
  }
  if (!matchesAudience(campaign.audience, facts)) return { eligible: false, reason: 'not_in_audience' };
  if (past.lastEventTime && eventTime.getTime() - past.lastEventTime.getTime() < campaign.cooldownSeconds * 1000) {
    return { eligible: false, reason: 'cooldown' };
  }
  if (past.treatedCount >= campaign.frequencyCap) return { eligible: false, reason: 'frequency_cap' };
  return { eligible: true };
}
