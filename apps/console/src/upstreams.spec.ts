import { upstreamTarget } from './upstreams';

describe('what the console passes on', () => {
  it('passes on /v1 routes of the five services, query included', () => {
    expect(upstreamTarget('scorer', '/v1/customers/c%2F1/score')).toEqual({
      service: 'scorer',
      path: '/v1/customers/c%2F1/score',
    });
    expect(upstreamTarget('trainer', '/v1/models?limit=5')).toEqual({ service: 'trainer', path: '/v1/models?limit=5' });
    expect(upstreamTarget('scorer', '/v1/scores:batchGet')).toEqual({ service: 'scorer', path: '/v1/scores:batchGet' });
    // An encoded slash stays inside its segment: the service reads one customer id, never a path.
    expect(upstreamTarget('scorer', '/v1/customers/..%2Fmetrics/score')?.path).toBe('/v1/customers/..%2Fmetrics/score');
  });

  it.each([
    ['an unknown service', 'console', '/v1/console/me'],
    ['health', 'scorer', '/health/ready'],
    ['metrics', 'scorer', '/metrics'],
    ['a climb out of /v1', 'scorer', '/v1/../metrics'],
    ['an encoded climb', 'scorer', '/v1/%2e%2e/docs'],
    ['another host', 'scorer', '//evil.example/v1/x'],
  ])('refuses %s', (_what, service, path) => {
    expect(upstreamTarget(service, path)).toBeNull();
  });
});
