import { Admin, Kafka, logLevel } from 'kafkajs';
import { kafkajsSecurity, kafkaSecurityFromEnv } from '../../libs/infra/kafka/src/security';

/** Brokers from KAFKA_BROKERS (comma-separated host:port), default the local broker of `npm run infra:up`. */
export function brokersFromEnv(): string[] {
  const raw = process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
  return raw
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Connects an admin client, retrying until `timeoutMs` has passed: a broker that was just started may refuse
 * connections or have no controller yet. Each try sends a real Metadata request (describeCluster), so a
 * returned admin talks to a working broker.
 */
export async function connectAdmin(timeoutMs: number): Promise<{ admin: Admin; brokers: string[] }> {
  const brokers = brokersFromEnv();
  const kafka = new Kafka({
    clientId: 'cvp-infra',
    brokers,
    ...kafkajsSecurity(kafkaSecurityFromEnv()),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 2, initialRetryTime: 200 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0) {
        return { admin, brokers };
      }
      lastError = new Error(`no controller yet (brokers: ${cluster.brokers.length})`);
    } catch (error) {
      lastError = error;
    }
    await admin.disconnect().catch(() => undefined);
    if (Date.now() >= deadline) {
      throw new Error(`Kafka at ${brokers.join(',')} not ready after ${timeoutMs} ms: ${describe(lastError)}`);
    }
    await sleep(500);
  }
}

export function timeoutFromEnv(fallbackMs: number): number {
  const raw = Number(process.env.KAFKA_READY_TIMEOUT_MS);
  return Number.isFinite(raw) && raw > 0 ? raw : fallbackMs;
}

export function fail(error: unknown): never {
  console.error(`[infra] kafka: ${describe(error)}`);
  process.exit(1);
}
