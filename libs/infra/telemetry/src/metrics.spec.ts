import { durationHistogram, cvpMeter, prometheusText } from './metrics';
import { startTelemetry } from './telemetry';

describe('metrics in the Prometheus text format', () => {
  beforeAll(() => startTelemetry('cvp-test', {}));

  it('serves counters, gauges and second-bucketed histograms with their labels', async () => {
    cvpMeter().createCounter('cvp.test.records', { description: 'records seen' }).add(3, { topic: 'cvp.events.v1' });
    cvpMeter()
      .createObservableGauge('cvp.test.in_use')
      .addCallback((result) => result.observe(1, { version: 'ziln@1' }));
    const duration = durationHistogram('cvp.test.duration.seconds', 'time taken');
    duration.record(0.004, { route: '/v1/x' });
    duration.record(2, { route: '/v1/x' });
    const text = await prometheusText();
    expect(text).toContain('# HELP cvp_test_records_total records seen');
    expect(text).toMatch(/^cvp_test_records_total\{topic="cvp\.events\.v1"\} 3$/m);
    expect(text).toMatch(/^cvp_test_in_use\{version="ziln@1"\} 1$/m);
    // Seconds, in buckets from 1 ms (OpenTelemetry's defaults start at 0, 5, 10: milliseconds).
    expect(text).toMatch(/^cvp_test_duration_seconds_bucket\{route="\/v1\/x",le="0\.005"\} 1$/m);
    expect(text).toMatch(/^cvp_test_duration_seconds_bucket\{route="\/v1\/x",le="2\.5"\} 2$/m);
    expect(text).toMatch(/^cvp_test_duration_seconds_count\{route="\/v1\/x"\} 2$/m);
  });
});
