import { pseudonym } from '@cvp/auth';
import { logId, privateUrl } from './log-privacy';

describe('what the logs keep of a customer', () => {
  const key = 'a-test-pseudonym-key';
  it('replaces a customer id in a path by its pseudonym, and leaves other paths alone', () => {
    const alias = pseudonym('syn-42-000001', key).slice(0, 16);
    expect(privateUrl('/v1/customers/syn-42-000001/score', key)).toBe(`/v1/customers/~${alias}/score`);
    expect(privateUrl('/v1/customers/syn-42-000001', key)).toBe(`/v1/customers/~${alias}`);
    expect(privateUrl('/v1/customers/syn%2D42-000001/score?x=1', key)).toBe(`/v1/customers/~${alias}/score?x=1`);
    expect(privateUrl('/v1/campaigns/vip/report', key)).toBe('/v1/campaigns/vip/report');
    expect(logId('syn-42-000001', key)).toBe(`~${alias}`);
  });
});
