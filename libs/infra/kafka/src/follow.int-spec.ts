import { randomUUID } from 'node:crypto';
import { TOPICS, type ModelPublishedMessage } from '@cvp/contracts';
import { createKafkaClient, createKafkaWire } from './kafka.module';
import { followTopic, readLastRecord } from './follow';
import { KafkaProducerService } from './producer.service';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describe('followTopic (real Kafka, cvp.models.v1)', () => {
  const kafka = createKafkaClient({ clientId: 'follow-int-spec', brokers });
  const producer = new KafkaProducerService(createKafkaWire({ clientId: 'follow-int-spec', brokers }, kafka));
  const run = randomUUID().slice(0, 8);
  const model = (n: number): ModelPublishedMessage => ({
    version: `test-${run}-${n}`,
    algorithm: 'ziln',
    featureSchemaVersion: 'features@2',
    artifactUri: `file:///tmp/models/test-${run}-${n}`,
    artifactSha256: '0'.repeat(64),
    publishedAt: new Date(Date.UTC(2026, 10, 23, 0, 0, n)).toISOString(),
  });

  afterAll(async () => {
    await producer.onApplicationShutdown();
  });

  it('hands over the current record at start, then every new one, to each follower', async () => {
    await producer.send(TOPICS.models, [{ value: model(1) }, { value: model(2) }]);
    const seen: [string[], string[]] = [[], []];
    const followers = await Promise.all(
      seen.map((versions) =>
        followTopic(kafka, TOPICS.models, `follow-int-${run}`, async (record) => {
          versions.push(record.value.version);
        }),
      ),
    );
    try {
      await Promise.all(followers.map((following) => following.caughtUp));
      expect(seen).toEqual([[model(2).version], [model(2).version]]);
      await producer.send(TOPICS.models, [{ value: model(3) }]);
      const deadline = Date.now() + 15_000;
      while (seen.some((versions) => versions.length < 2) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(seen).toEqual([
        [model(2).version, model(3).version],
        [model(2).version, model(3).version],
      ]);
      expect((await readLastRecord(kafka, TOPICS.models, `follow-int-${run}`))?.version).toBe(model(3).version);
    } finally {
      await Promise.all(followers.map((following) => following.stop()));
    }
  }, 60_000);
});
