import type { LearnedPolicyValue } from '@cvp/uplift';

interface GroupFigures {
  customers: number;
  converters: number;
  conversionRate: number;
  revenue: number;
  revenuePerCustomer: number;
}
interface Interval {
  estimate: number;
  low: number;
  high: number;
}
/** The campaign report of `GET /v1/campaigns/:id/report`, as far as the table shows it. */
export interface CampaignReport {
  campaign: { key: string };
  treated: GroupFigures;
  control: GroupFigures;
  conversionUplift: Interval;
  revenuePerCustomerUplift: Interval;
  incrementalRevenue: Interval;
  cost: number;
  roi: number | null;
  verdict: string;
  explanation?: string;
  decisionsByPolicy?: Record<string, number>;
  learnedUplift?: {
    version: string;
    learner: string;
    reason: string;
    learntFrom: number;
    policy: LearnedPolicyValue | null;
  } | null;
}

const money = (value: number) => value.toFixed(2);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const interval = (value: Interval, format: (n: number) => string) =>
  `${format(value.estimate)} (95% interval ${format(value.low)} to ${format(value.high)})`;

/** The uplift report as plain text: a row per group, then the differences with their intervals and the verdict. */
export function formatCampaignReport(report: CampaignReport): string {
  const row = (name: string, group: GroupFigures) =>
    `| ${name} | ${group.customers} | ${group.converters} | ${percent(group.conversionRate)} | ${money(group.revenue)} | ${money(group.revenuePerCustomer)} |`;
  return [
    `Uplift report of ${report.campaign.key}:`,
    '',
    '| group | customers | converters | conversion | revenue | revenue / customer |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('treated', report.treated),
    row('control', report.control),
    '',
    `conversion uplift: ${interval(report.conversionUplift, percent)}`,
    `revenue per customer uplift: ${interval(report.revenuePerCustomerUplift, money)}`,
    `incremental revenue: ${interval(report.incrementalRevenue, money)}; cost ${money(report.cost)}` +
      (report.roi === null ? '' : `; ROI ${report.roi.toFixed(2)}`),
    `verdict: ${report.verdict}${report.explanation ? ` (${report.explanation})` : ''}`,
    ...(report.decisionsByPolicy
      ? [
          `decisions by policy: ${Object.entries(report.decisionsByPolicy)
            .map(([policy, count]) => `${policy} ${count}`)
            .join(', ')}`,
        ]
      : []),
    ...learnedLines(report.learnedUplift),
  ].join('\n');
}

function learnedLines(learned: CampaignReport['learnedUplift']): string[] {
  if (learned === undefined) return [];
  if (learned === null) return ['uplift model: none published (the constant uplift rate decides)'];
  const lines = [`uplift model: ${learned.version} (${learned.learner}; ${learned.reason})`];
  const policy = learned.policy;
  if (policy) {
    lines.push(
      `learned targeting on the ${policy.customers} randomised customers (treats ${percent(policy.treatShare)}; ` +
        `${learned.learntFrom} of them were learnt from): ${money(policy.learned)} per customer net of cost, ` +
        `vs ${money(policy.random)} targeting as many at random (gain ${money(policy.gainOverRandom.estimate)} ± ` +
        `${money(policy.gainOverRandom.standardError)}; everyone ${money(policy.treatAll)}, no one ${money(policy.treatNone)})`,
    );
  }
  return lines;
}
