import { API_ROUTES, roleOf } from './routes';

describe('the route-role table', () => {
  it('finds the role of a request by method and path, ids included', () => {
    expect(roleOf('POST', '/v1/events')).toBe('producer');
    expect(roleOf('GET', '/v1/customers/c%2F1/score')).toBe('reader');
    expect(roleOf('POST', '/v1/scores:batchGet')).toBe('reader');
    expect(roleOf('patch', '/v1/campaigns/vip-coupon')).toBe('marketer');
    expect(roleOf('GET', '/v1/campaigns/vip-coupon/audience')).toBe('reader');
    expect(roleOf('POST', '/v1/train')).toBe('admin');
    expect(roleOf('GET', '/health/ready')).toBeNull();
    expect(roleOf('DELETE', '/v1/campaigns/x')).toBeNull();
  });

  it('lists each route once', () => {
    const keys = API_ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
