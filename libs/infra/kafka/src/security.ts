import { readFileSync } from 'node:fs';
import type { KafkaConfig } from 'kafkajs';

/**
 * How every CVP Kafka client connects: TLS (with a CA of its own, or the system's) and SASL (SCRAM-SHA-256/512 or
 * PLAIN, over TLS in production). One shape, turned into each client library's options below, so kafkajs and
 * @platformatic/kafka (KAFKA_CLIENT), the admin tools and the CLI all honour the same settings.
 */
export interface KafkaSecurity {
  tls?: { ca?: string; servername?: string };
  sasl?: { mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain'; username: string; password: string };
}

const MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;

/**
 * From the environment: KAFKA_TLS=true (KAFKA_TLS_CA_FILE: a PEM file of the CA; KAFKA_TLS_SERVERNAME), and
 * KAFKA_SASL_MECHANISM with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (from a Secret). Throws on a half setting.
 */
export function kafkaSecurityFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (env.KAFKA_TLS === 'true' || env.KAFKA_TLS === '1') {
    security.tls = {
      ...(env.KAFKA_TLS_CA_FILE ? { ca: readFileSync(env.KAFKA_TLS_CA_FILE, 'utf8') } : {}),
      ...(env.KAFKA_TLS_SERVERNAME ? { servername: env.KAFKA_TLS_SERVERNAME } : {}),
    };
  } else if (env.KAFKA_TLS && env.KAFKA_TLS !== 'false' && env.KAFKA_TLS !== '0') {
    throw new Error(`KAFKA_TLS must be true or false, not ${JSON.stringify(env.KAFKA_TLS)}`);
  }
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (mechanism) {
    if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
      throw new Error(`KAFKA_SASL_MECHANISM must be one of ${MECHANISMS.join(', ')}, not ${JSON.stringify(mechanism)}`);
    }
    if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD) {
      throw new Error('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    }
    security.sasl = {
      mechanism: mechanism as (typeof MECHANISMS)[number],
      username: env.KAFKA_SASL_USERNAME,
      password: env.KAFKA_SASL_PASSWORD,
    };
  }
  return security;
}

/** kafkajs' `ssl` and `sasl`. */
export function kafkajsSecurity(security: KafkaSecurity = {}): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {
    ...(security.tls ? { ssl: Object.keys(security.tls).length > 0 ? security.tls : true } : {}),
    ...(security.sasl ? { sasl: security.sasl as KafkaConfig['sasl'] } : {}),
  };
}

/** @platformatic/kafka's `tls` and `sasl` (mechanism names upper case, as Kafka spells them). */
export function platformaticSecurity(security: KafkaSecurity = {}): {
  tls?: { ca?: string; servername?: string };
  sasl?: { mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'PLAIN'; username: string; password: string };
} {
  return {
    ...(security.tls ? { tls: security.tls } : {}),
    ...(security.sasl
      ? {
          sasl: {
            mechanism: security.sasl.mechanism.toUpperCase() as 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'PLAIN',
            username: security.sasl.username,
            password: security.sasl.password,
          },
        }
      : {}),
  };
}
