import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { extractTraceContext, injectTraceHeaders, startTelemetry } from './telemetry';

describe('trace context in message headers', () => {
  beforeAll(() => startTelemetry('test', {}));

  it('round-trips a span context through string headers', () => {
    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    };
    const headers = injectTraceHeaders({}, trace.setSpanContext(ROOT_CONTEXT, spanContext));
    expect(headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const extracted = trace.getSpanContext(extractTraceContext(headers));
    expect(extracted?.traceId).toBe(spanContext.traceId);
    expect(extracted?.spanId).toBe(spanContext.spanId);
  });

  it('stays disabled unless asked for', () => {
    expect(startTelemetry('test', {}).enabled).toBe(false);
  });
});
