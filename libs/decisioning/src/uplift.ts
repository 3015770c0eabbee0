/** Sufficient statistics of one group of a campaign over its attribution window. */
export interface GroupOutcome {
  customers: number;
  /** Customers with at least one attributed purchase. */
  converters: number;
  /** Σ attributed revenue per customer, and Σ of its squares (customers without purchases count 0). */
  revenue: number;
  revenueSquares: number;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface UpliftReport {
  treated: GroupSummary;
  control: GroupSummary;
  /** Treated minus control conversion rate, with its 95% interval. */
  conversionUplift: Interval;
  /** Treated minus control revenue per customer, with its 95% interval. */
  revenuePerCustomerUplift: Interval;
  /** Revenue the campaign added: the per-customer uplift × treated customers, with its 95% interval. */
  incrementalRevenue: Interval;
  cost: number;
  /** (incremental revenue − cost) / cost; null without cost. */
  roi: number | null;
  verdict: 'beats control' | 'does not beat control' | 'not enough data';
  explanation: string;
}

export interface GroupSummary {
  customers: number;
  converters: number;
  conversionRate: number;
  revenue: number;
  revenuePerCustomer: number;
}

const Z95 = 1.959964;

/**
 * Treated vs control (randomised by the control-group hash, so the difference is the campaign's effect): conversion
 * and revenue per customer, their differences with normal-approximation 95% intervals (Welch: each group its own
 * variance), the incremental revenue = per-customer uplift × treated customers, and the ROI. A campaign beats its
 * control only when the interval of its revenue uplift lies above 0; otherwise the report says it does not (or
 * that there is not enough data: fewer than `minCustomers` per group).
 */
export function upliftReport(
  treated: GroupOutcome,
  control: GroupOutcome,
  cost: number,
  minCustomers = 30,
): UpliftReport {
  const summary = (group: GroupOutcome): GroupSummary => ({
    customers: group.customers,
    converters: group.converters,
    conversionRate: group.customers > 0 ? group.converters / group.customers : 0,
    revenue: round2(group.revenue),
    revenuePerCustomer: group.customers > 0 ? group.revenue / group.customers : 0,
  });
  const t = summary(treated);
  const c = summary(control);
  const variance = (group: GroupOutcome) => {
    if (group.customers < 2) return 0;
    const mean = group.revenue / group.customers;
    return Math.max(0, (group.revenueSquares - group.customers * mean * mean) / (group.customers - 1));
  };
  const proportionVariance = (p: number, n: number) => (n > 0 ? (p * (1 - p)) / n : 0);
  const interval = (estimate: number, se: number): Interval => ({
    estimate,
    low: estimate - Z95 * se,
    high: estimate + Z95 * se,
  });
  const conversionUplift = interval(
    t.conversionRate - c.conversionRate,
    Math.sqrt(proportionVariance(t.conversionRate, t.customers) + proportionVariance(c.conversionRate, c.customers)),
  );
  const rpcSe =
    t.customers > 0 && c.customers > 0
      ? Math.sqrt(variance(treated) / t.customers + variance(control) / c.customers)
      : 0;
  const revenuePerCustomerUplift = interval(t.revenuePerCustomer - c.revenuePerCustomer, rpcSe);
  const incrementalRevenue = {
    estimate: revenuePerCustomerUplift.estimate * t.customers,
    low: revenuePerCustomerUplift.low * t.customers,
    high: revenuePerCustomerUplift.high * t.customers,
  };
  const roi = cost > 0 ? (incrementalRevenue.estimate - cost) / cost : null;
  let verdict: UpliftReport['verdict'];
  let explanation: string;
  if (t.customers < minCustomers || c.customers < minCustomers) {
    verdict = 'not enough data';
    explanation = `needs at least ${minCustomers} customers in each group (treated ${t.customers}, control ${c.customers})`;
  } else if (revenuePerCustomerUplift.low > 0) {
    verdict = 'beats control';
    explanation =
      `treated customers spent ${money(revenuePerCustomerUplift.estimate)} more each than control ` +
      `(95% interval ${money(revenuePerCustomerUplift.low)} to ${money(revenuePerCustomerUplift.high)})`;
  } else {
    verdict = 'does not beat control';
    explanation =
      `the revenue uplift per customer, ${money(revenuePerCustomerUplift.estimate)}, is not above 0 with 95% ` +
      `confidence (interval ${money(revenuePerCustomerUplift.low)} to ${money(revenuePerCustomerUplift.high)})`;
  }
  return {
    treated: t,
    control: c,
    conversionUplift,
    revenuePerCustomerUplift,
    incrementalRevenue,
    cost: round2(cost),
    roi,
    verdict,
    explanation,
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const money = (value: number) => value.toFixed(2);

/**
 * Whether a purchase counts for a decision: same customer, strictly after the decision's event time (the event the
 * decision was taken on, itself maybe a purchase, does not count), within the window.
 */
export function isAttributed(
  decision: { customerId: string; eventTime: Date },
  purchase: { customerId: string; occurredAt: Date },
  windowDays: number,
): boolean {
  const delta = purchase.occurredAt.getTime() - decision.eventTime.getTime();
  return purchase.customerId === decision.customerId && delta > 0 && delta < windowDays * 86_400_000;
}
