import { metrics, type Histogram, type Meter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';

let reader: PrometheusExporter | null = null;
// No `otel_scope_name` label on every sample (one meter: 'cvp'); `target_info` keeps the service's name.
const serializer = new PrometheusSerializer(undefined, false, undefined, false, true);

/**
 * The reader of this process's OpenTelemetry metrics that `GET /metrics` serves in the Prometheus text format (no
 * server of its own: each service answers on its HTTP port). `startTelemetry` registers it with the meter provider.
 */
export function prometheusReader(): PrometheusExporter {
  reader ??= new PrometheusExporter({ preventServerStart: true });
  return reader;
}

/** Every metric of this process in the Prometheus text exposition format (0.0.4). */
export async function prometheusText(): Promise<string> {
  const { resourceMetrics } = await prometheusReader().collect();
  return serializer.serialize(resourceMetrics);
}

/** The content type of `prometheusText`. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** CVP's meter (the global provider's; a no-op one until `startTelemetry` ran, as in unit tests). */
export function cvpMeter(): Meter {
  return metrics.getMeter('cvp');
}

/** Latency buckets (seconds) of CVP's duration histograms: 1 ms to 30 s (OpenTelemetry's defaults suit ms). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A histogram of durations in seconds; `name` ends in `.seconds` (Prometheus: `..._seconds_bucket`). */
export function durationHistogram(name: string, description: string): Histogram {
  return cvpMeter().createHistogram(name, {
    description,
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
}

/** Buckets of CVP's batch-size histograms: 1 to 1,000 records (a consumer hands over at most 500). */
const SIZE_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000];

/** A histogram of how many items a batch held (records, customers). */
export function sizeHistogram(name: string, description: string): Histogram {
  return cvpMeter().createHistogram(name, { description, advice: { explicitBucketBoundaries: SIZE_BUCKETS } });
}

/** Seconds since `startedAt` (a `performance.now()` reading), for duration histograms. */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
