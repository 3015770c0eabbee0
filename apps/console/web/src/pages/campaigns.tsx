import { useState, type FormEvent, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { api, ApiError, canEditCampaigns, type Role } from '../api';
import { changedFields, errorsByField, money, numberOrText, percent } from '../figures';
import { Card, Figure, Problem, Table, useLoad } from '../ui';

const ACTIONS = ['coupon', 'recommendation', 'ad_audience', 'win_back'];
const STATUSES = ['draft', 'active', 'paused', 'ended'];

interface Campaign {
  id: string;
  key: string;
  name: string;
  status: string;
  audience: unknown;
  action: string;
  actionParams: Record<string, unknown>;
  channel: string;
  startsAt: string;
  endsAt: string | null;
  priority: number;
  budgetTotal: number;
  budgetSpent: number;
  costPerAction: number;
  frequencyCap: number;
  cooldownSeconds: number;
  controlShare: number;
  upliftRate: number;
  attributionWindowDays: number;
  explorationShare: number;
}
interface Interval {
  estimate: number;
  low: number;
  high: number;
}
interface Group {
  customers: number;
  converters: number;
  conversionRate: number;
  revenue: number;
  revenuePerCustomer: number;
}
interface Report {
  treatedDecisions: number;
  treated: Group;
  control: Group;
  conversionUplift: Interval;
  revenuePerCustomerUplift: Interval;
  incrementalRevenue: Interval;
  cost: number;
  roi: number | null;
  verdict: string;
  explanation: string;
  decisionsByPolicy: Record<string, number>;
  daily: { day: string; treated: number; control: number }[];
  learnedUplift: {
    version: string;
    learner: string;
    reason: string;
    policy: { learned: number; random: number; gain?: number } | null;
  } | null;
}

/** The form's fields, in the order shown; `kind` says how the text becomes the API's value. */
const FIELDS: {
  name: keyof Campaign;
  label: string;
  kind: 'text' | 'number' | 'json' | 'select';
  options?: string[];
  createOnly?: boolean;
}[] = [
  { name: 'key', label: 'Key (slug)', kind: 'text', createOnly: true },
  { name: 'name', label: 'Name', kind: 'text' },
  { name: 'status', label: 'Status', kind: 'select', options: STATUSES },
  { name: 'action', label: 'Action', kind: 'select', options: ACTIONS },
  { name: 'channel', label: 'Channel', kind: 'text' },
  { name: 'audience', label: 'Audience rule (JSON)', kind: 'json' },
  { name: 'actionParams', label: 'Action parameters (JSON)', kind: 'json' },
  { name: 'startsAt', label: 'Starts at (ISO 8601)', kind: 'text' },
  { name: 'budgetTotal', label: 'Budget', kind: 'number' },
  { name: 'costPerAction', label: 'Cost per action', kind: 'number' },
  { name: 'controlShare', label: 'Control share (0–1)', kind: 'number' },
  { name: 'upliftRate', label: 'Assumed uplift rate', kind: 'number' },
  { name: 'explorationShare', label: 'Exploration share (0–1)', kind: 'number' },
  { name: 'frequencyCap', label: 'Frequency cap', kind: 'number' },
  { name: 'cooldownSeconds', label: 'Cooldown (seconds)', kind: 'number' },
  { name: 'attributionWindowDays', label: 'Attribution window (days)', kind: 'number' },
  { name: 'priority', label: 'Priority', kind: 'number' },
];
const FIELD_NAMES = FIELDS.map((field) => field.name as string);

const NEW_CAMPAIGN: Record<string, string> = {
  key: '',
  name: '',
  status: 'draft',
  action: 'recommendation',
  channel: 'email',
  audience: JSON.stringify({ all: [{ field: 'tier', op: 'eq', value: 'high' }] }, null, 2),
  actionParams: '{}',
  startsAt: new Date().toISOString(),
  budgetTotal: '1000',
  costPerAction: '1',
  controlShare: '0.1',
  upliftRate: '0.05',
  explorationShare: '0.1',
  frequencyCap: '1',
  cooldownSeconds: '604800',
  attributionWindowDays: '30',
  priority: '0',
};

const asText = (campaign: Campaign): Record<string, string> =>
  Object.fromEntries(
    FIELDS.map(({ name, kind }) => [
      name,
      kind === 'json' ? JSON.stringify(campaign[name], null, 2) : String(campaign[name] ?? ''),
    ]),
  );

/** The form's texts as the API's body; JSON that does not parse is a field error before anything is sent. */
function toBody(texts: Record<string, string>, skip: (name: string) => boolean) {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string[]> = {};
  for (const { name, kind } of FIELDS) {
    if (skip(name)) continue;
    const text = texts[name] ?? '';
    if (kind === 'number') {
      const value = numberOrText(text);
      if (value !== undefined) body[name] = value;
    } else if (kind === 'json') {
      try {
        body[name] = JSON.parse(text || 'null');
      } catch (error) {
        errors[name] = [`not valid JSON: ${(error as Error).message}`];
      }
    } else if (text !== '' || name === 'key' || name === 'name') body[name] = text;
  }
  return { body, errors };
}

/** Campaigns: list, create and edit (the API's own validation, shown at each field), measured uplift. */
export function Campaigns({ campaignId, role }: { campaignId?: string; role: Role }) {
  const list = useLoad(() => api<Campaign[]>('/api/campaigns/v1/campaigns'), 'campaigns');
  const [creating, setCreating] = useState(false);
  const editable = canEditCampaigns(role);
  return (
    <div className="page" data-testid="campaigns">
      <Card title="Campaigns" testId="campaign-list">
        {editable && !creating && (
          <div className="actions">
            <button type="button" onClick={() => setCreating(true)} data-testid="new-campaign">
              New campaign
            </button>
          </div>
        )}
        <Problem error={list.error} />
        {list.value && (
          <Table
            head={['key', 'name', 'status', 'action', 'channel', 'budget spent', 'control share']}
            rows={list.value.map((campaign) => [
              <a key={campaign.id} href={`#/campaigns/${encodeURIComponent(campaign.key)}`}>
                {campaign.key}
              </a>,
              campaign.name,
              campaign.status,
              campaign.action,
              campaign.channel,
              `${money(campaign.budgetSpent)} of ${money(campaign.budgetTotal)}`,
              percent(campaign.controlShare),
            ])}
          />
        )}
      </Card>
      {creating && (
        <CampaignForm
          title="New campaign"
          initial={NEW_CAMPAIGN}
          submitLabel="Create campaign"
          onCancel={() => setCreating(false)}
          submit={(texts) => {
            const { body, errors } = toBody(texts, () => false);
            return { errors, send: () => api<Campaign>('/api/campaigns/v1/campaigns', { method: 'POST', body }) };
          }}
          onDone={(campaign) => {
            setCreating(false);
            list.reload();
            window.location.hash = `#/campaigns/${encodeURIComponent(campaign.key)}`;
          }}
        />
      )}
      {campaignId && (
        <CampaignDetail key={campaignId} idOrKey={campaignId} editable={editable} onChanged={list.reload} />
      )}
    </div>
  );
}

interface Submission {
  errors: Record<string, string[]>;
  send: () => Promise<Campaign>;
}

function CampaignForm(props: {
  title: string;
  initial: Record<string, string>;
  submitLabel: string;
  createOnlyLocked?: boolean;
  submit: (texts: Record<string, string>) => Submission;
  onDone: (campaign: Campaign) => void;
  onCancel: () => void;
}) {
  const [texts, setTexts] = useState(props.initial);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<ReactNode>(null);
  const set = (name: string, value: string) => setTexts((current) => ({ ...current, [name]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { errors: local, send } = props.submit(texts);
    if (Object.keys(local).length > 0) return setErrors(local);
    setBusy(true);
    try {
      const campaign = await send();
      setErrors({});
      props.onDone(campaign);
    } catch (error) {
      setErrors(
        error instanceof ApiError && error.errors.length > 0
          ? errorsByField(error.errors, FIELD_NAMES)
          : { '': [(error as Error).message] },
      );
    } finally {
      setBusy(false);
    }
  };

  const previewAudience = async () => {
    let audience: unknown;
    try {
      audience = JSON.parse(texts.audience);
    } catch (error) {
      return setErrors({ ...errors, audience: [`not valid JSON: ${(error as Error).message}`] });
    }
    try {
      const answer = await api<{ matching: number; scored: number; byTier: Record<string, number> }>(
        '/api/campaigns/v1/campaigns/audience-preview',
        { method: 'POST', body: { audience } },
      );
      setErrors((current) => ({ ...current, audience: [] }));
      setPreview(
        <span data-testid="audience-size">
          {answer.matching.toLocaleString('en-US')} of {answer.scored.toLocaleString('en-US')} scored customers match
          {Object.keys(answer.byTier).length > 0 &&
            ` (${Object.entries(answer.byTier)
              .map(([tier, count]) => `${tier} ${count}`)
              .join(', ')})`}
        </span>,
      );
    } catch (error) {
      setPreview(null);
      setErrors((current) => ({
        ...current,
        ...(error instanceof ApiError && error.errors.length > 0
          ? errorsByField(
              error.errors.map((e) => ({ ...e, path: e.path.replace(/^audience\.?/, 'audience.').replace(/\.$/, '') })),
              FIELD_NAMES,
            )
          : { audience: [(error as Error).message] }),
      }));
    }
  };

  return (
    <Card title={props.title} testId="campaign-form">
      <form onSubmit={submit} aria-label={props.title} className="campaign-form" noValidate>
        <Problem error={errors['']?.join('; ') ?? null} />
        {FIELDS.map((field) => {
          const locked = field.createOnly && props.createOnlyLocked;
          const fieldErrors = errors[field.name] ?? [];
          return (
            <div key={field.name} className={`field ${field.kind === 'json' ? 'wide' : ''}`}>
              <label htmlFor={`field-${field.name}`}>{field.label}</label>
              {field.kind === 'select' ? (
                <select
                  id={`field-${field.name}`}
                  name={field.name}
                  value={texts[field.name]}
                  onChange={(event) => set(field.name, event.target.value)}
                >
                  {field.options?.map((option) => (
                    <option key={option}>{option}</option>
                  ))}
                </select>
              ) : field.kind === 'json' ? (
                <textarea
                  id={`field-${field.name}`}
                  name={field.name}
                  rows={field.name === 'audience' ? 5 : 2}
                  value={texts[field.name]}
                  onChange={(event) => set(field.name, event.target.value)}
                  aria-invalid={fieldErrors.length > 0}
                />
              ) : (
                <input
                  id={`field-${field.name}`}
                  name={field.name}
                  value={texts[field.name]}
                  disabled={locked}
                  onChange={(event) => set(field.name, event.target.value)}
                  aria-invalid={fieldErrors.length > 0}
                />
              )}
              {field.name === 'audience' && (
                <div className="preview">
                  <button type="button" onClick={previewAudience} data-testid="preview-audience">
                    Preview audience
                  </button>{' '}
                  {preview}
                </div>
              )}
              {fieldErrors.map((message) => (
                <p key={message} className="field-error" data-testid={`error-${field.name}`} role="alert">
                  {message}
                </p>
              ))}
            </div>
          );
        })}
        <div className="actions wide">
          <button type="submit" disabled={busy} data-testid="submit-campaign">
            {props.submitLabel}
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}

function CampaignDetail({
  idOrKey,
  editable,
  onChanged,
}: {
  idOrKey: string;
  editable: boolean;
  onChanged: () => void;
}) {
  const id = encodeURIComponent(idOrKey);
  const campaign = useLoad(() => api<Campaign>(`/api/campaigns/v1/campaigns/${id}`), idOrKey);
  const report = useLoad(() => api<Report>(`/api/campaigns/v1/campaigns/${id}/report`), idOrKey, 15_000);
  const [editing, setEditing] = useState(false);
  if (!campaign.value) return <Problem error={campaign.error} />;
  const current = campaign.value;
  return (
    <>
      {editing ? (
        <CampaignForm
          title={`Edit ${current.key}`}
          initial={asText(current)}
          submitLabel="Save changes"
          createOnlyLocked
          onCancel={() => setEditing(false)}
          submit={(texts) => {
            const { body, errors } = toBody(texts, (name) => name === 'key');
            const patch = changedFields(current as unknown as Record<string, unknown>, body);
            return {
              errors,
              send: () =>
                api<Campaign>(`/api/campaigns/v1/campaigns/${encodeURIComponent(current.id)}`, {
                  method: 'PATCH',
                  body: patch,
                }),
            };
          }}
          onDone={() => {
            setEditing(false);
            campaign.reload();
            onChanged();
          }}
        />
      ) : (
        <Card title={`${current.name} (${current.key})`} testId="campaign-detail">
          <div className="figures">
            <Figure label="status" testId="campaign-status" value={current.status} />
            <Figure label="action" value={`${current.action} by ${current.channel}`} />
            <Figure label="budget spent" value={`${money(current.budgetSpent)} of ${money(current.budgetTotal)}`} />
            <Figure label="control share" value={percent(current.controlShare)} />
            <Figure label="attribution window" value={`${current.attributionWindowDays} days`} />
          </div>
          <pre className="rule">{JSON.stringify(current.audience, null, 2)}</pre>
          {editable && (
            <button type="button" onClick={() => setEditing(true)} data-testid="edit-campaign">
              Edit
            </button>
          )}
        </Card>
      )}
      <Card title="Measured uplift: treated vs control" testId="campaign-report">
        <Problem error={report.error} />
        {report.value && <ReportView report={report.value} />}
      </Card>
    </>
  );
}

const interval = (value: Interval, format: (x: number) => string) =>
  `${format(value.estimate)} (95%: ${format(value.low)} to ${format(value.high)})`;

function ReportView({ report }: { report: Report }) {
  return (
    <>
      <p className={`verdict ${report.verdict.replace(/ /g, '-')}`} data-testid="report-verdict">
        <strong>{report.verdict}</strong> — {report.explanation}
      </p>
      <Table
        head={['', 'customers', 'converters', 'conversion', 'revenue', 'revenue per customer']}
        rows={(['treated', 'control'] as const).map((group) => [
          group,
          report[group].customers.toLocaleString('en-US'),
          report[group].converters.toLocaleString('en-US'),
          percent(report[group].conversionRate),
          money(report[group].revenue),
          money(report[group].revenuePerCustomer),
        ])}
      />
      <div className="figures">
        <Figure label="conversion uplift" value={interval(report.conversionUplift, percent)} />
        <Figure label="revenue per customer uplift" value={interval(report.revenuePerCustomerUplift, money)} />
        <Figure
          label="incremental revenue"
          testId="incremental-revenue"
          value={interval(report.incrementalRevenue, money)}
        />
        <Figure label="cost" value={money(report.cost)} />
        <Figure label="ROI" value={report.roi === null ? '—' : percent(report.roi)} />
      </div>
      <p className="muted">
        Decisions by policy:{' '}
        {Object.entries(report.decisionsByPolicy)
          .map(([policy, count]) => `${policy} ${count}`)
          .join(', ') || 'none yet'}
        {report.learnedUplift
          ? `. Learned uplift model ${report.learnedUplift.version} (${report.learnedUplift.learner}): ${report.learnedUplift.reason}`
          : '. No uplift model published: the assumed rate decides.'}
      </p>
      {report.daily.length > 0 && (
        <figure data-testid="decisions-chart">
          <figcaption>Decisions per day, treated and control</figcaption>
          <BarChart width={760} height={240} data={report.daily} margin={{ left: 10, right: 20, top: 10 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Bar dataKey="treated" stackId="decisions" fill="#4e79a7" isAnimationActive={false} />
            <Bar dataKey="control" stackId="decisions" fill="#bab0ac" isAnimationActive={false} />
          </BarChart>
        </figure>
      )}
    </>
  );
}
