/**
 * Creates the Kafka topics of TOPIC_SPECS that do not exist yet, with their partition counts, replication
 * factor 1 and configs. Existing topics are left as they are (a differing partition count is only reported).
 * Brokers from KAFKA_BROKERS (default 127.0.0.1:9092); run by `npm run infra:up`, or by hand:
 *   node -r @swc-node/register tools/infra/create-topics.ts
 */
import { ITopicConfig } from 'kafkajs';
import { TOPIC_SPECS } from '../../libs/contracts/src/topics';
import { connectAdmin, fail, timeoutFromEnv } from './kafka-admin';

const REPLICATION_FACTOR = Number(process.env.KAFKA_REPLICATION_FACTOR ?? '1');

async function main(): Promise<void> {
  const { admin, brokers } = await connectAdmin(timeoutFromEnv(60_000));
  try {
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = TOPIC_SPECS.filter((spec) => !existing.has(spec.name)).map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor: REPLICATION_FACTOR,
      configEntries: [
        { name: 'retention.ms', value: String(spec.retentionMs) },
        { name: 'cleanup.policy', value: spec.cleanupPolicy },
      ],
    }));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, waitForLeaders: true, timeout: 30_000 });
      for (const topic of missing) {
        console.log(`[infra] kafka: created topic ${topic.topic} (${topic.numPartitions} partition(s))`);
      }
    }

    const present = TOPIC_SPECS.filter((spec) => existing.has(spec.name));
    if (present.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
      for (const topic of metadata.topics) {
        const spec = present.find((candidate) => candidate.name === topic.name);
        if (spec && topic.partitions.length !== spec.partitions) {
          console.warn(
            `[infra] kafka: topic ${topic.name} has ${topic.partitions.length} partition(s), ` +
              `TOPIC_SPECS says ${spec.partitions}; left as it is`,
          );
        }
      }
    }
    console.log(
      `[infra] kafka: topics on ${brokers.join(',')}: ${missing.length} created, ` +
        `${TOPIC_SPECS.length - missing.length} already present`,
    );
  } finally {
    await admin.disconnect();
  }
}

main().catch(fail);
