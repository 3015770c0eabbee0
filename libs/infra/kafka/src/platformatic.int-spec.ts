import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createKafkaClient } from './kafka.module';

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/**
 * Many sends at once through KAFKA_CLIENT=platformatic's idempotent producer, as ingest (one per request) and the
 * consumers (one per partition handled concurrently) make them. @platformatic/kafka is an ES module that Jest cannot
 * require on Node 20, so the sends run in a plain Node process; the topic's offsets are read here with kafkajs.
 * Without the wire's send queue the broker took the second of two sends in flight for a duplicate of the first
 * (acknowledged, not written) and refused every send after them as out of order.
 */
describe('PlatformaticWire producer (real Kafka)', () => {
  const kafka = createKafkaClient({ clientId: 'platformatic-int-spec', brokers: brokers.split(',') });
  const admin = kafka.admin();
  const topic = `cvp.test.platformatic-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('writes every record of concurrent sends once, and sends on afterwards', async () => {
    const script = `
const { PlatformaticWire } = require(${JSON.stringify(join(__dirname, 'platformatic.wire.ts'))});
(async () => {
  const producer = new PlatformaticWire({ clientId: 'platformatic-int-spec', brokers: ${JSON.stringify(brokers.split(','))} }).producer();
  await producer.connect();
  const batch = (round, send) => Array.from({ length: 20 }, (_, i) => ({
    key: 'customer-' + ((send * 20 + i) % 37), value: JSON.stringify({ round, send, i }), headers: { 'content-type': 'application/json' },
  }));
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: 10 }, (_, send) => producer.send(${JSON.stringify(topic)}, batch(round, send))));
  }
  await producer.send(${JSON.stringify(topic)}, batch(3, 0));
  await producer.disconnect();
})().catch((error) => { console.error(error); process.exit(1); });
`;
    await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      cwd: join(__dirname, '..', '..', '..', '..'),
      timeout: 60_000,
    });
    const offsets = await admin.fetchTopicOffsets(topic);
    const written = offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    expect(written).toBe(3 * 10 * 20 + 20);
  }, 90_000);
});
