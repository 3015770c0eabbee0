import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkajsSecurity, kafkaSecurityFromEnv, platformaticSecurity } from './security';

describe('Kafka security settings', () => {
  it('is plain text without settings', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({});
    expect(kafkajsSecurity(kafkaSecurityFromEnv({}))).toEqual({});
    expect(platformaticSecurity(kafkaSecurityFromEnv({}))).toEqual({});
  });

  it('turns TLS with a CA file and SCRAM into each client library’s options', () => {
    const ca = join(mkdtempSync(join(tmpdir(), 'kafka-ca-')), 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const security = kafkaSecurityFromEnv({
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'cvp',
      KAFKA_SASL_PASSWORD: 'secret',
    });
    expect(kafkajsSecurity(security)).toEqual({
      ssl: { ca: expect.stringContaining('BEGIN CERTIFICATE') },
      sasl: { mechanism: 'scram-sha-512', username: 'cvp', password: 'secret' },
    });
    expect(platformaticSecurity(security)).toEqual({
      tls: { ca: expect.stringContaining('BEGIN CERTIFICATE') },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'cvp', password: 'secret' },
    });
    expect(kafkajsSecurity(kafkaSecurityFromEnv({ KAFKA_TLS: '1' }))).toEqual({ ssl: true });
  });

  it('refuses half or unknown settings', () => {
    expect(() => kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toThrow(/USERNAME and/);
    expect(() =>
      kafkaSecurityFromEnv({ KAFKA_SASL_MECHANISM: 'kerberos', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' }),
    ).toThrow(/must be one of/);
    expect(() => kafkaSecurityFromEnv({ KAFKA_TLS: 'yes' })).toThrow(/true or false/);
  });
});
