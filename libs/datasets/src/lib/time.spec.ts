import { TimestampParser } from './time';

describe('TimestampParser', () => {
  const london = new TimestampParser('Europe/London');

  it('keeps the wall-clock time and states the offset in force', () => {
    expect(london.parse('2010-12-01 08:26:00')).toBe('2010-12-01T08:26:00Z');
    expect(london.parse('2011-06-01 08:26')).toBe('2011-06-01T08:26:00+01:00');
    expect(new TimestampParser('America/Sao_Paulo').parse('10/2/2017 10:56')).toBe('2017-10-02T10:56:00-03:00');
    expect(new TimestampParser('Asia/Kolkata').parse('2024-01-01')).toBe('2024-01-01T00:00:00+05:30');
  });

  it('moves a time in the spring-forward gap forward and takes the earlier of an autumn repeat', () => {
    expect(london.parse('2011-03-27 01:30:00')).toBe('2011-03-27T02:30:00+01:00');
    expect(london.parse('2011-10-30 01:30:00')).toBe('2011-10-30T01:30:00+01:00');
    expect(london.parse('2011-10-30 02:30:00')).toBe('2011-10-30T02:30:00Z');
  });

  it('keeps an explicit offset or UTC marker as written', () => {
    expect(london.parse('2019-10-01 00:00:00 UTC')).toBe('2019-10-01T00:00:00Z');
    expect(london.parse('2024-03-01T10:00:00+0100')).toBe('2024-03-01T10:00:00+01:00');
    expect(london.parse('2024-03-01T10:00:00.25-03:30')).toBe('2024-03-01T10:00:00.250-03:30');
  });

  it('reads compact days, epochs and day-first dates when told', () => {
    expect(london.parse('19970101')).toBe('1997-01-01T00:00:00Z');
    expect(new TimestampParser('UTC').parse('1529193600')).toBe('2018-06-17T00:00:00Z');
    expect(new TimestampParser('UTC').parse('1529193600123')).toBe('2018-06-17T00:00:00.123Z');
    expect(new TimestampParser('UTC', 'dmy').parse('01/03/2024 09:30')).toBe('2024-03-01T09:30:00Z');
    expect(new TimestampParser('UTC').parse('01/03/2024 09:30')).toBe('2024-01-03T09:30:00Z');
  });

  it.each([
    '',
    'yesterday',
    '2010-13-01 09:41:00',
    '2011-02-29',
    '2010-12-01 24:00:00',
    '19970231',
    '1899-01-01',
    '2024-03-01T10:00:00+25:00',
  ])('rejects %j', (text) => {
    expect(london.parse(text)).toBeUndefined();
  });

  it('refuses an unknown zone', () => {
    expect(() => new TimestampParser('Europe/Atlantis')).toThrow('unknown time zone "Europe/Atlantis"');
  });
});
