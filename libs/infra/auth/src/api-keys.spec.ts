import { allows, generateKey, hashKey, keyPrefix, ROLES, wellFormed } from './api-keys';

describe('API keys', () => {
  it('makes random, well-formed keys whose hash and prefix identify them', () => {
    const a = generateKey();
    const b = generateKey();
    expect(a).not.toBe(b);
    expect(wellFormed(a)).toBe(true);
    expect(hashKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashKey(a)).not.toBe(hashKey(b));
    expect(keyPrefix(a)).toBe(a.slice(0, 12));
    expect(wellFormed('cvp_short')).toBe(false);
    expect(wellFormed(`${a} `)).toBe(false);
  });

  it('lets admin call everything, a marketer read, and every other role only its own routes', () => {
    const table = Object.fromEntries(ROLES.map((held) => [held, ROLES.filter((required) => allows(held, required))]));
    expect(table).toEqual({
      producer: ['producer'],
      reader: ['reader'],
      marketer: ['reader', 'marketer'],
      admin: ['producer', 'reader', 'marketer', 'admin'],
    });
  });
});
