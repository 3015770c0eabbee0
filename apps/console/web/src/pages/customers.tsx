import { useState, type FormEvent } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { api, ApiError } from '../api';
import { money, percent } from '../figures';
import { Card, Figure, Problem, Table, useLoad } from '../ui';

interface TierSummary {
  tiers: Record<string, { customers: number; expectedSpend: number }>;
  customers: number;
}
interface Score {
  customerId: string;
  asOf: string;
  lastEventAt?: string;
  horizonDays: number;
  expectedSpend: number;
  expectedSpendLow: number | null;
  expectedSpendHigh: number | null;
  pBuyAgain: number;
  churnRisk: number;
  tier: string;
  modelVersion: string;
  reasons: { feature: string; value: number; contribution: number; description: string }[];
  stale?: true;
}
interface Recommendations {
  customerId: string;
  modelVersion: string;
  items: { productId: string; reason: string }[];
}
interface Activity {
  events: { eventId: string; type: string; occurredAt: string; payload: { total?: number; items?: unknown[] } }[];
  decisions: {
    campaign: string;
    group: string;
    action: string;
    channel: string;
    policy: string;
    cost: number;
    upliftEstimate: number | null;
    eventTime: string;
  }[];
}

const TIER_ORDER = ['high', 'mid', 'low'];

/** Tier counts and value by tier; a customer's score, reasons, recommendations, recent events and decisions. */
export function Customers({ customerId }: { customerId?: string }) {
  const [query, setQuery] = useState(customerId ?? '');
  const summary = useLoad(() => api<TierSummary>('/api/scorer/v1/tiers/summary'), 'tiers');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (query.trim()) window.location.hash = `#/customers/${encodeURIComponent(query.trim())}`;
  };
  const tiers = summary.value
    ? TIER_ORDER.filter((tier) => summary.value?.tiers[tier]).map((tier) => {
        const row = (summary.value as TierSummary).tiers[tier];
        return { tier, customers: row.customers, expectedSpend: Math.round(row.expectedSpend) };
      })
    : [];
  const totalValue = tiers.reduce((sum, row) => sum + row.expectedSpend, 0);
  return (
    <div className="page" data-testid="customers">
      <Card title="Value tiers" testId="tiers">
        <Problem error={summary.error} />
        {summary.value && (
          <div className="row">
            <div className="figures column">
              <Figure
                label="customers scored"
                testId="customers-total"
                value={summary.value.customers.toLocaleString('en-US')}
              />
              {tiers.map((row) => (
                <Figure
                  key={row.tier}
                  label={`${row.tier}: ${percent(row.customers / Math.max(1, summary.value?.customers ?? 1))} of customers, ${percent(row.expectedSpend / Math.max(1, totalValue))} of expected spend`}
                  testId={`tier-${row.tier}`}
                  value={row.customers.toLocaleString('en-US')}
                />
              ))}
            </div>
            <BarChart width={520} height={240} data={tiers} margin={{ left: 10, right: 10, top: 10 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="tier" />
              <YAxis yAxisId="customers" orientation="left" />
              <YAxis yAxisId="spend" orientation="right" />
              <Tooltip />
              <Legend />
              <Bar yAxisId="customers" dataKey="customers" name="customers" fill="#4e79a7" isAnimationActive={false} />
              <Bar
                yAxisId="spend"
                dataKey="expectedSpend"
                name="expected spend"
                fill="#f28e2b"
                isAnimationActive={false}
              />
            </BarChart>
          </div>
        )}
      </Card>
      <Card title="Look up a customer">
        <form className="inline" onSubmit={submit} aria-label="look up a customer">
          <input
            name="customerId"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="customer id"
          />
          <button type="submit">Look up</button>
        </form>
      </Card>
      {customerId && <Customer key={customerId} customerId={customerId} />}
    </div>
  );
}

function Customer({ customerId }: { customerId: string }) {
  const id = encodeURIComponent(customerId);
  const score = useLoad(() => api<Score>(`/api/scorer/v1/customers/${id}/score`), customerId);
  const recommendations = useLoad(
    () =>
      api<Recommendations>(`/api/scorer/v1/customers/${id}/recommendations`).catch((error: Error) =>
        // 409: no published version carries a recommender yet.
        error instanceof ApiError && error.status === 409 ? null : Promise.reject(error),
      ),
    customerId,
  );
  const activity = useLoad(() => api<Activity>(`/v1/console/customers/${id}/activity`), customerId);
  const value = score.value;
  return (
    <>
      <Card title={`Customer ${customerId}`} testId="customer">
        <Problem error={score.error} />
        {value && (
          <>
            <div className="figures">
              <Figure
                label={`expected spend, next ${value.horizonDays} days`}
                testId="expected-spend"
                value={money(value.expectedSpend)}
              />
              <Figure
                label="interval"
                testId="interval"
                value={
                  value.expectedSpendLow === null
                    ? '—'
                    : `${money(value.expectedSpendLow)} – ${money(value.expectedSpendHigh)}`
                }
              />
              <Figure label="P(buys again)" value={percent(value.pBuyAgain)} />
              <Figure label="churn risk" value={percent(value.churnRisk)} />
              <Figure label="tier" testId="tier" value={value.tier} />
            </div>
            <p className="muted">
              As of {value.asOf}
              {value.lastEventAt ? `, last event ${value.lastEventAt}` : ''}, model {value.modelVersion}
              {value.stale ? ' (stale: the score store did not answer)' : ''}
            </p>
            <h3>Why</h3>
            <Table
              testId="reasons"
              head={['reason', 'feature', 'value', 'effect']}
              rows={value.reasons.map((reason) => [
                reason.description,
                reason.feature,
                reason.value.toFixed(2),
                reason.contribution.toFixed(2),
              ])}
            />
          </>
        )}
      </Card>
      <Card title="Recommendations" testId="recommendations">
        <Problem error={recommendations.error} />
        {recommendations.value === null && !recommendations.loading && !recommendations.error && (
          <p>No recommender is published yet.</p>
        )}
        {recommendations.value && (
          <Table
            head={['product', 'why']}
            rows={recommendations.value.items.map((row) => [row.productId, row.reason])}
          />
        )}
      </Card>
      <Card title="Recent events" testId="events">
        <Problem error={activity.error} />
        {activity.value && (
          <Table
            head={['when', 'type', 'total', 'id']}
            rows={activity.value.events.map((event) => [
              event.occurredAt,
              event.type,
              event.payload.total === undefined ? '' : money(event.payload.total),
              event.eventId,
            ])}
          />
        )}
      </Card>
      <Card title="Campaign decisions" testId="decisions">
        {activity.value && activity.value.decisions.length === 0 && <p>No campaign decided on this customer.</p>}
        {activity.value && activity.value.decisions.length > 0 && (
          <Table
            head={['when', 'campaign', 'group', 'action', 'channel', 'policy', 'cost', 'expected uplift']}
            rows={activity.value.decisions.map((decision) => [
              decision.eventTime,
              decision.campaign,
              decision.group,
              decision.action,
              decision.channel,
              decision.policy,
              money(decision.cost),
              decision.upliftEstimate === null ? '—' : money(decision.upliftEstimate),
            ])}
          />
        )}
      </Card>
    </>
  );
}
