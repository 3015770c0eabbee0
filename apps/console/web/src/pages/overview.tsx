import { api } from '../api';
import { ago } from '../figures';
import { Card, Figure, Problem, Table, useLoad } from '../ui';

interface Overview {
  services: {
    name: string;
    state: 'ready' | 'not ready' | 'unreachable';
    checks: Record<string, { status: string; error?: string }> | null;
    latencyMs: number;
  }[];
  pipeline: {
    eventsPerSecond: number | null;
    eventsTotal: number | null;
    lags: { groupId: string; topic: string; lag: number }[];
    sampledAt: string | null;
    error: string | null;
  };
  sweeps: { active: Sweep | null; last: Sweep | null } | null;
  lastTraining: Model | null;
  published: Model | null;
}
interface Sweep {
  id: string;
  trigger: string;
  asOf: string;
  startedAt: string;
  finishedAt?: string;
  customers: number;
  customersPerSecond?: number;
}
interface Model {
  version: string;
  status: string;
  createdAt: string;
  publishedAt: string | null;
  metrics: { validation?: { gini?: number } };
}

/** The pipeline at a glance, refreshed every 5 s. */
export function Overview() {
  const { value, error } = useLoad(() => api<Overview>('/v1/console/overview'), 'overview', 5_000);
  if (!value) return error ? <Problem error={error} /> : <p>Loading…</p>;
  const { services, pipeline, sweeps, lastTraining, published } = value;
  const totalLag = pipeline.lags.reduce((sum, row) => sum + row.lag, 0);
  return (
    <div className="page" data-testid="overview">
      <Problem error={error} />
      <Card title="Services" testId="services">
        <div className="services">
          {services.map((service) => (
            <div
              key={service.name}
              className={`service ${service.state.replace(' ', '-')}`}
              data-testid={`service-${service.name}`}
            >
              <strong>{service.name}</strong>
              <span>{service.state}</span>
              <small>
                {service.checks
                  ? Object.entries(service.checks)
                      .map(([name, check]) => `${name} ${check.status}`)
                      .join(' · ')
                  : `${service.latencyMs} ms`}
              </small>
            </div>
          ))}
        </div>
      </Card>
      <Card title="Pipeline" testId="pipeline">
        <div className="figures">
          <Figure
            label="events/s (last minute)"
            testId="events-per-second"
            value={pipeline.eventsPerSecond === null ? '—' : pipeline.eventsPerSecond.toFixed(1)}
          />
          <Figure
            label="events accepted"
            testId="events-total"
            value={pipeline.eventsTotal?.toLocaleString('en-US') ?? '—'}
          />
          <Figure label="records not yet consumed" testId="total-lag" value={totalLag.toLocaleString('en-US')} />
          <Figure label="sampled" value={ago(pipeline.sampledAt)} />
        </div>
        <Problem error={pipeline.error && `Kafka figures not read: ${pipeline.error}`} />
        <Table
          testId="lags"
          head={['consumer group', 'topic', 'lag']}
          rows={pipeline.lags.map((row) => [row.groupId, row.topic, row.lag.toLocaleString('en-US')])}
        />
      </Card>
      <Card title="Re-scoring sweeps" testId="sweeps">
        {sweeps === null ? (
          <p>The scorer did not answer.</p>
        ) : (
          <Table
            head={['', 'id', 'trigger', 'as of', 'customers', 'customers/s', 'finished']}
            rows={[
              ['running', sweeps.active],
              ['last', sweeps.last],
            ]
              .filter((entry): entry is [string, Sweep] => entry[1] !== null)
              .map(([label, sweep]) => [
                label,
                sweep.id,
                sweep.trigger,
                sweep.asOf,
                sweep.customers.toLocaleString('en-US'),
                sweep.customersPerSecond?.toFixed(0) ?? '—',
                sweep.finishedAt ? ago(sweep.finishedAt) : 'running',
              ])}
          />
        )}
        {sweeps && !sweeps.active && !sweeps.last && <p>No sweep has run yet.</p>}
      </Card>
      <Card title="Training" testId="training">
        <div className="figures">
          <Figure
            label="last training run"
            testId="last-training"
            value={
              lastTraining ? (
                <a href={`#/models/${encodeURIComponent(lastTraining.version)}`}>{lastTraining.version}</a>
              ) : (
                'none'
              )
            }
          />
          <Figure
            label="its status"
            value={lastTraining ? `${lastTraining.status}, ${ago(lastTraining.createdAt)}` : '—'}
          />
          <Figure label="published version" testId="published" value={published?.version ?? 'none (heuristic)'} />
          <Figure label="published Gini" value={published?.metrics.validation?.gini?.toFixed(3) ?? '—'} />
        </div>
      </Card>
    </div>
  );
}
