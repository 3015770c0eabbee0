import {
  context,
  metrics,
  propagation,
  trace,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
} from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { prometheusReader } from './metrics';

export interface Telemetry {
  enabled: boolean;
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry before anything else is loaded (import it first in main.ts). Metrics are always on: the
 * process's meter provider feeds the Prometheus reader that `GET /metrics` serves. Traces are off unless
 * OTEL_SDK_DISABLED=false; then the standard OTEL_* variables choose the exporter
 * (OTEL_TRACES_EXPORTER=otlp|console|none, OTEL_EXPORTER_OTLP_ENDPOINT, ...).
 * It reads process.env itself because it must run before the service's config is validated.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  // Once per process: the Prometheus reader binds to one meter provider.
  started ??= start(serviceName, env);
  return started;
}

let started: Telemetry | null = null;

function start(serviceName: string, env: NodeJS.ProcessEnv): Telemetry {
  // Trace context travels in Kafka headers even when no exporter runs, so one event can be followed.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? serviceName });
  if ((env.OTEL_SDK_DISABLED ?? 'true') !== 'false') {
    const provider = new MeterProvider({ resource, readers: [prometheusReader()] });
    metrics.setGlobalMeterProvider(provider);
    return { enabled: false, shutdown: () => provider.shutdown() };
  }
  const sdk = new NodeSDK({
    resource,
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
    metricReaders: [prometheusReader()],
  });
  sdk.start();
  return { enabled: true, shutdown: () => sdk.shutdown() };
}

const tracer = () => trace.getTracer('cvp');

/** Writes the trace context of `ctx` into Kafka-style string headers. */
export function injectTraceHeaders(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** Reads the trace context a producer put into the headers. */
export function extractTraceContext(headers: Record<string, string | undefined>): Context {
  return propagation.extract(context.active(), headers);
}

/** Runs `work` in a span, as a child of `parent` (and linked to `links`), ending it with the outcome. */
export async function inSpan<T>(
  name: string,
  parent: Context,
  attributes: Record<string, string | number>,
  work: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.CONSUMER,
  links: Context[] = [],
): Promise<T> {
  const spanLinks = links.flatMap((linked) => {
    const spanContext = trace.getSpanContext(linked);
    return spanContext ? [{ context: spanContext }] : [];
  });
  return tracer().startActiveSpan(name, { kind, attributes, links: spanLinks }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * A PRODUCER span for one message sent to `topic`, child of `parent`, ended at once (the send is acknowledged in
 * batches); returns the context to inject into the message's headers, so its consumers continue the trace from it.
 */
export function producerSpanContext(topic: string, parent: Context = context.active()): Context {
  const span = tracer().startSpan(
    `send ${topic}`,
    { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic } },
    parent,
  );
  span.end();
  return trace.setSpan(parent, span);
}

export { context, trace, SpanKind };
export type { Context, Span };
