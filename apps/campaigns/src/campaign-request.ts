import { z } from 'zod';
import { ACTIONS, isoDateTime, isStorableJson, MAX_AMOUNT, unicodeText } from '@cvp/contracts';
import { audienceRuleSchema } from '@cvp/decisioning';

/** Bounded by the columns: budgets DECIMAL(14, 2), the cost of one action DECIMAL(10, 2). */
const money = (max: number) =>
  z.number().finite().nonnegative('must not be negative').max(max, `must be at most ${max}`);
export const MAX_COST_PER_ACTION = 1_000_000;
const MAX_COOLDOWN_SECONDS = 10 * 365 * 86_400;
/** Channel parameters are stored as they come (jsonb): text only, and small. */
const MAX_ACTION_PARAMS_BYTES = 8 * 1024;

const fields = {
  key: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a slug: lowercase letters, digits and dashes, 2-63 characters'),
  name: unicodeText(200).trim().min(1),
  status: z.enum(['draft', 'active', 'paused', 'ended']),
  /** e.g. { "all": [ { "field": "tier", "op": "eq", "value": "high" }, { "field": "churnRisk", "op": "gt", "value": 0.6 } ] } */
  audience: audienceRuleSchema,
  action: z.enum(ACTIONS),
  /** Free parameters for the channel system; `couponValue` (number) is the discount of a coupon. */
  actionParams: z
    .record(z.string(), z.unknown())
    .refine(isStorableJson, 'must hold Unicode text only (no NUL characters or lone surrogates)')
    .refine(
      (params) => JSON.stringify(params).length <= MAX_ACTION_PARAMS_BYTES,
      `must be at most ${MAX_ACTION_PARAMS_BYTES} characters as JSON`,
    ),
  channel: unicodeText(64).trim().min(1),
  startsAt: isoDateTime,
  endsAt: isoDateTime.nullable(),
  priority: z.number().int().min(-1000).max(1000),
  budgetTotal: money(MAX_AMOUNT),
  costPerAction: money(MAX_COST_PER_ACTION),
  frequencyCap: z.number().int().min(1).max(1000),
  cooldownSeconds: z.number().int().min(0).max(MAX_COOLDOWN_SECONDS),
  controlShare: z.number().min(0).lt(1, 'must be below 1: a campaign with no treated group does nothing'),
  upliftRate: z.number().min(0).max(10),
  attributionWindowDays: z.number().int().min(1).max(365),
  /** Once an uplift model is published: the share decided on where it says the action does not pay. */
  explorationShare: z.number().min(0).max(1),
};

const couponNeedsValue = (campaign: { action?: string; actionParams?: Record<string, unknown> }) =>
  campaign.action !== 'coupon' ||
  (typeof campaign.actionParams?.couponValue === 'number' && campaign.actionParams.couponValue > 0);
const windowOrdered = (campaign: { startsAt?: string; endsAt?: string | null }) =>
  !campaign.startsAt || !campaign.endsAt || Date.parse(campaign.startsAt) < Date.parse(campaign.endsAt);

/** POST /v1/campaigns. */
export const createCampaignSchema = z
  .object({
    ...fields,
    status: fields.status.default('draft'),
    endsAt: fields.endsAt.default(null),
    actionParams: fields.actionParams.default({}),
    priority: fields.priority.default(0),
    costPerAction: fields.costPerAction.default(0),
    frequencyCap: fields.frequencyCap.default(1),
    cooldownSeconds: fields.cooldownSeconds.default(7 * 86_400),
    controlShare: fields.controlShare.default(0.1),
    upliftRate: fields.upliftRate.default(0.05),
    attributionWindowDays: fields.attributionWindowDays.default(30),
    explorationShare: fields.explorationShare.default(0.1),
  })
  .strict()
  .refine(couponNeedsValue, { message: 'a coupon needs actionParams.couponValue > 0', path: ['actionParams'] })
  .refine(windowOrdered, { message: 'endsAt must be after startsAt', path: ['endsAt'] });
export type CreateCampaign = z.output<typeof createCampaignSchema>;

/** PATCH /v1/campaigns/:id: any field but the key. */
export const updateCampaignSchema = z
  .object(Object.fromEntries(Object.entries(fields).filter(([name]) => name !== 'key')) as Omit<typeof fields, 'key'>)
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'nothing to change' })
  .refine(windowOrdered, { message: 'endsAt must be after startsAt', path: ['endsAt'] });
export type UpdateCampaign = z.output<typeof updateCampaignSchema>;

/** POST /v1/campaigns/audience-preview: the rule a campaign would have. */
export const audiencePreviewSchema = z.object({ audience: fields.audience }).strict();
