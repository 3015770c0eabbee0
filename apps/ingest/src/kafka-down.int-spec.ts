/**
 * Ingest while Kafka cannot be reached (a broker address nobody listens on): a POST is answered 503 with Retry-After
 * once the producer's deadline passed — nothing is acknowledged that Kafka did not make durable. Runs the built
 * service (`npm run build` first, as `npm test` does).
 */
import { createApiKey } from '@cvp/auth';
import { createPrismaClient } from '@cvp/db';
import { sleep, startService, stopService, type RunningService } from '@cvp/harness';

jest.setTimeout(60_000);

let ingest: RunningService;
let producerKey = '';

beforeAll(async () => {
  const prisma = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
  producerKey = (await createApiKey(prisma, { role: 'producer', name: 'kafka-down test' })).key;
  await prisma.$disconnect();
  ingest = startService(
    'ingest',
    { PORT: '3191', KAFKA_BROKERS: '127.0.0.1:1', KAFKA_PRODUCE_DEADLINE_MS: '1500' },
    'integration',
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${ingest.url}/health/live`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error('ingest did not come up; see reports/integration/ingest.log');
});

afterAll(async () => {
  if (ingest) await stopService(ingest);
});

describe('ingest without Kafka', () => {
  it('answers 503 with Retry-After after the produce deadline, and says it is not ready', async () => {
    const started = Date.now();
    const response = await fetch(`${ingest.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${producerKey}` },
      body: JSON.stringify({
        eventId: 'kafka-down-1',
        customerId: 'c-kafka-down',
        occurredAt: new Date().toISOString(),
        type: 'page_view',
        url: '/',
      }),
    });
    const elapsed = Date.now() - started;
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(((await response.json()) as { message: string }).message).toMatch(/nothing was accepted/);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect((await fetch(`${ingest.url}/health/ready`)).status).toBe(503);
  });
});
