import { aofEnabled } from './redis.module';

describe('aofEnabled', () => {
  it("reads INFO persistence's aof_enabled field", () => {
    const info = (aof: string) =>
      `# Persistence\r\nloading:0\r\nrdb_changes_since_last_save:3\r\naof_enabled:${aof}\r\naof_rewrite_in_progress:0\r\n`;
    expect(aofEnabled(info('1'))).toBe(true);
    expect(aofEnabled(info('0'))).toBe(false);
    expect(aofEnabled('# Persistence\r\nloading:0\r\n')).toBe(false);
  });
});
