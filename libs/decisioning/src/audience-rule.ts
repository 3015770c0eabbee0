import { z } from 'zod';
import { unicodeText } from '@cvp/contracts';

/**
 * Audience rules over score fields and features, stored as JSON with the campaign:
 * `{ "all": [ { "field": "tier", "op": "eq", "value": "high" }, { "field": "churnRisk", "op": "gt", "value": 0.6 } ] }`.
 */
export type AudienceRule = { all: AudienceRule[] } | { any: AudienceRule[] } | { not: AudienceRule } | Condition;

type Scalar = string | number | boolean;
export type Condition =
  | { field: string; op: 'eq' | 'neq'; value: Scalar }
  | { field: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: number }
  | { field: string; op: 'in'; value: Scalar[] }
  | { field: string; op: 'between'; value: [number, number] };

const scalar = z.union([unicodeText(1000), z.number(), z.boolean()]);
const field = unicodeText(128).min(1, 'field must name a score field or feature');
const condition = z.union([
  z.object({ field, op: z.enum(['eq', 'neq']), value: scalar }).strict(),
  z.object({ field, op: z.enum(['gt', 'gte', 'lt', 'lte']), value: z.number() }).strict(),
  z.object({ field, op: z.literal('in'), value: z.array(scalar).min(1) }).strict(),
  z
    .object({ field, op: z.literal('between'), value: z.tuple([z.number(), z.number()]) })
    .strict()
    .refine((c) => c.value[0] <= c.value[1], {
      message: 'between needs [low, high] with low <= high',
      path: ['value'],
    }),
]);

export const audienceRuleSchema: z.ZodType<AudienceRule> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(audienceRuleSchema).min(1) }).strict(),
    z.object({ any: z.array(audienceRuleSchema).min(1) }).strict(),
    z.object({ not: audienceRuleSchema }).strict(),
    condition,
  ]),
);

/** Facts a rule is evaluated on: the score's fields and the customer's features, by name. */
export type Facts = Record<string, string | number | boolean | null | undefined>;

/** True when the facts satisfy the rule. A condition on a missing fact is false. */
export function matchesAudience(rule: AudienceRule, facts: Facts): boolean {
  if ('all' in rule) return rule.all.every((child) => matchesAudience(child, facts));
  if ('any' in rule) return rule.any.some((child) => matchesAudience(child, facts));
  if ('not' in rule) return !matchesAudience(rule.not, facts);
  const actual = facts[rule.field];
  if (actual === undefined || actual === null) return false;
  switch (rule.op) {
    case 'eq':
      return actual === rule.value;
    case 'neq':
      return actual !== rule.value;
    case 'in':
      return rule.value.includes(actual);
    case 'gt':
      return typeof actual === 'number' && actual > rule.value;
    case 'gte':
      return typeof actual === 'number' && actual >= rule.value;
    case 'lt':
      return typeof actual === 'number' && actual < rule.value;
    case 'lte':
      return typeof actual === 'number' && actual <= rule.value;
    case 'between':
      return typeof actual === 'number' && actual >= rule.value[0] && actual <= rule.value[1];
  }
}

/** The fields a rule reads, at any depth. */
export function ruleFields(rule: AudienceRule, into = new Set<string>()): Set<string> {
  if ('all' in rule) rule.all.forEach((child) => ruleFields(child, into));
  else if ('any' in rule) rule.any.forEach((child) => ruleFields(child, into));
  else if ('not' in rule) ruleFields(rule.not, into);
  else into.add(rule.field);
  return into;
}
