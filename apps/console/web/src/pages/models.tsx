import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { api, ApiError, canTrain, type Role } from '../api';
import { ago, calibrationRows, gainCurve, money, percent, type DecileRow } from '../figures';
import { Card, Figure, Problem, Table, useLoad } from '../ui';

interface Validation {
  gini: number;
  spearman: number;
  top10Capture: number;
  top20Capture?: number;
  auc: number;
  totalRatio: number;
  mae?: number;
  deciles?: DecileRow[];
}
interface Candidate {
  name: string;
  score: number;
  gini: number;
  spearman: number;
  top10Capture: number;
  auc: number;
  totalRatio: number;
}
interface ModelVersion {
  version: string;
  status: string;
  algorithm: string;
  createdAt: string;
  publishedAt: string | null;
  trainedFrom: string | null;
  trainedTo: string | null;
  metrics: {
    validation?: Validation;
    selection?: {
      metric: string;
      winner: string;
      validationCutoff: string;
      validationCustomers: number;
      candidates: Candidate[];
    };
    verdict?: { publish: boolean; reason: string };
    publishedOnValidation?: (Validation & { version: string }) | null;
    customers?: unknown;
    error?: string;
  };
}

const fixed = (value: number | undefined, digits = 3) => (value === undefined ? '—' : value.toFixed(digits));

/** Model versions with their validation figures; one version's selection, gain and calibration charts. */
export function Models({ version, role }: { version?: string; role: Role }) {
  const list = useLoad(() => api<ModelVersion[]>('/api/trainer/v1/models?limit=50'), 'models', 10_000);
  const [training, setTraining] = useState<string | null>(null);
  const [trainError, setTrainError] = useState<string | null>(null);
  const trainNow = async () => {
    setTrainError(null);
    try {
      const started = await api<{ version: string }>('/api/trainer/v1/train', { method: 'POST', body: {} });
      setTraining(`Training ${started.version} started: it appears below when it finishes.`);
      list.reload();
    } catch (error) {
      setTrainError(error instanceof ApiError ? `${error.status}: ${error.message}` : (error as Error).message);
    }
  };
  return (
    <div className="page" data-testid="models">
      <Card title="Model versions" testId="model-list">
        {canTrain(role) && (
          <div className="actions">
            <button type="button" onClick={trainNow} data-testid="train-now">
              Train now
            </button>
            {training && <span className="ok">{training}</span>}
          </div>
        )}
        <Problem error={trainError ?? list.error} />
        {list.value && list.value.length === 0 && <p>No model trained yet: the scorer uses its heuristic.</p>}
        {list.value && list.value.length > 0 && (
          <Table
            head={[
              'version',
              'status',
              'created',
              'Gini',
              'Spearman',
              'top-10% capture',
              'AUC',
              'total ratio',
              'winner',
            ]}
            rows={list.value.map((model) => [
              <a key={model.version} href={`#/models/${encodeURIComponent(model.version)}`}>
                {model.version}
              </a>,
              model.publishedAt && model.status === 'published' ? <strong key="s">published</strong> : model.status,
              ago(model.createdAt),
              fixed(model.metrics.validation?.gini),
              fixed(model.metrics.validation?.spearman),
              percent(model.metrics.validation?.top10Capture),
              fixed(model.metrics.validation?.auc),
              fixed(model.metrics.validation?.totalRatio, 2),
              model.metrics.selection?.winner ?? '—',
            ])}
          />
        )}
      </Card>
      {version && <ModelDetail key={version} version={version} />}
    </div>
  );
}

function ModelDetail({ version }: { version: string }) {
  const { value: model, error } = useLoad(
    () => api<ModelVersion>(`/api/trainer/v1/models/${encodeURIComponent(version)}`),
    version,
  );
  if (!model) return <Problem error={error} />;
  const validation = model.metrics.validation;
  const deciles = validation?.deciles ?? [];
  const served = model.metrics.publishedOnValidation;
  return (
    <Card title={`Version ${model.version}`} testId="model-detail">
      <div className="figures">
        <Figure label="status" testId="model-status" value={model.status} />
        <Figure
          label="trained on"
          value={`${model.trainedFrom?.slice(0, 10) ?? '—'} – ${model.trainedTo?.slice(0, 10) ?? '—'}`}
        />
        <Figure label="Gini" value={fixed(validation?.gini)} />
        <Figure label="Spearman" value={fixed(validation?.spearman)} />
        <Figure label="AUC (buys again)" value={fixed(validation?.auc)} />
        <Figure label="predicted / actual total" value={fixed(validation?.totalRatio, 2)} />
      </div>
      {model.metrics.verdict && (
        <p data-testid="verdict">
          Publish verdict: <strong>{model.metrics.verdict.publish ? 'published' : 'not published'}</strong> —{' '}
          {model.metrics.verdict.reason}
          {served ? ` (the served ${served.version} had Gini ${fixed(served.gini)} on the same customers)` : ''}
        </p>
      )}
      {model.metrics.error && <Problem error={`The run failed: ${model.metrics.error}`} />}
      {deciles.length > 0 && (
        <div className="row charts">
          <figure data-testid="gain-chart">
            <figcaption>Gain: share of next-period spend captured by the top customers</figcaption>
            <LineChart
              width={440}
              height={280}
              data={gainCurve(deciles)}
              margin={{ left: 10, right: 20, top: 10, bottom: 20 }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="share"
                type="number"
                domain={[0, 1]}
                tickFormatter={(share: number) => `${Math.round(share * 100)}%`}
                label={{ value: 'customers, by predicted value', position: 'insideBottom', offset: -12 }}
              />
              <YAxis domain={[0, 1]} tickFormatter={(share: number) => `${Math.round(share * 100)}%`} />
              <Tooltip
                formatter={(share) => percent(Number(share))}
                labelFormatter={(share) => `top ${percent(Number(share))}`}
              />
              <Legend verticalAlign="top" />
              <Line dataKey="model" name="this model" stroke="#4e79a7" strokeWidth={2} isAnimationActive={false} />
              <Line
                dataKey="random"
                name="random order"
                stroke="#999"
                strokeDasharray="4 4"
                dot={false}
                isAnimationActive={false}
              />
            </LineChart>
          </figure>
          <figure data-testid="calibration-chart">
            <figcaption>Calibration: mean predicted and actual spend by decile of prediction</figcaption>
            <BarChart
              width={440}
              height={280}
              data={calibrationRows(deciles)}
              margin={{ left: 10, right: 20, top: 10, bottom: 20 }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="decile" />
              <YAxis />
              <Tooltip formatter={(amount) => money(Number(amount))} />
              <Legend verticalAlign="top" />
              <Bar dataKey="predicted" name="predicted" fill="#4e79a7" isAnimationActive={false} />
              <Bar dataKey="actual" name="actual" fill="#f28e2b" isAnimationActive={false} />
            </BarChart>
          </figure>
        </div>
      )}
      {model.metrics.selection && (
        <>
          <h3>Selection</h3>
          <p data-testid="selection">
            Winner <strong>{model.metrics.selection.winner}</strong> by {model.metrics.selection.metric} on{' '}
            {model.metrics.selection.validationCustomers.toLocaleString('en-US')} customers as of{' '}
            {model.metrics.selection.validationCutoff.slice(0, 10)} (a split inside the training window).
          </p>
          <Table
            head={['candidate', 'score', 'Gini', 'Spearman', 'top-10% capture', 'AUC', 'total ratio']}
            rows={model.metrics.selection.candidates.map((candidate) => [
              candidate.name,
              fixed(candidate.score),
              fixed(candidate.gini),
              fixed(candidate.spearman),
              percent(candidate.top10Capture),
              fixed(candidate.auc),
              fixed(candidate.totalRatio, 2),
            ])}
          />
        </>
      )}
    </Card>
  );
}
