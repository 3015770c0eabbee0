/**
 * Creates the Kafka topics of TOPIC_SPECS that do not exist yet, with their partition counts, replication factor
 * (KAFKA_REPLICATION_FACTOR, default 1), `min.insync.replicas` (KAFKA_MIN_INSYNC_REPLICAS, default replication − 1,
 * at least 1 and at most 2: with acks=all an event is acknowledged only once that many replicas hold it, so a
 * broker lost after the acknowledgement loses nothing) and configs. Existing topics are left as they are (a differing
 * partition count or a lower min.insync.replicas is only reported).
 * Brokers from KAFKA_BROKERS (default 127.0.0.1:9092); run by `npm run infra:up`, or by hand:
 *   node -r @swc-node/register tools/infra/create-topics.ts
 */
import { ConfigResourceTypes, ITopicConfig } from 'kafkajs';
import { TOPIC_SPECS } from '../../libs/contracts/src/topics';
import { connectAdmin, fail, timeoutFromEnv } from './kafka-admin';

const REPLICATION_FACTOR = Number(process.env.KAFKA_REPLICATION_FACTOR ?? '1');
const MIN_INSYNC_REPLICAS = Number(
  process.env.KAFKA_MIN_INSYNC_REPLICAS ?? String(Math.min(2, Math.max(1, REPLICATION_FACTOR - 1))),
);

async function main(): Promise<void> {
  if (!Number.isInteger(REPLICATION_FACTOR) || REPLICATION_FACTOR < 1) {
    throw new Error(
      `KAFKA_REPLICATION_FACTOR must be a whole number >= 1, got ${process.env.KAFKA_REPLICATION_FACTOR}`,
    );
  }
  if (!Number.isInteger(MIN_INSYNC_REPLICAS) || MIN_INSYNC_REPLICAS < 1 || MIN_INSYNC_REPLICAS > REPLICATION_FACTOR) {
    throw new Error(
      `KAFKA_MIN_INSYNC_REPLICAS must be a whole number from 1 to the replication factor (${REPLICATION_FACTOR}), ` +
        `got ${process.env.KAFKA_MIN_INSYNC_REPLICAS}`,
    );
  }
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
        { name: 'min.insync.replicas', value: String(MIN_INSYNC_REPLICAS) },
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
      const configs = await admin.describeConfigs({
        resources: present.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.name })),
        includeSynonyms: false,
      });
      for (const resource of configs.resources) {
        const entry = resource.configEntries.find((config) => config.configName === 'min.insync.replicas');
        if (entry && Number(entry.configValue) < MIN_INSYNC_REPLICAS) {
          console.warn(
            `[infra] kafka: topic ${resource.resourceName} has min.insync.replicas ${entry.configValue}, ` +
              `below ${MIN_INSYNC_REPLICAS}; left as it is (kafka-configs.sh --alter to raise it)`,
          );
        }
      }
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
      `[infra] kafka: topics on ${brokers.join(',')}: ${missing.length} created (replication ${REPLICATION_FACTOR}, ` +
        `min.insync.replicas ${MIN_INSYNC_REPLICAS}), ${TOPIC_SPECS.length - missing.length} already present`,
    );
  } finally {
    await admin.disconnect();
  }
}

main().catch(fail);
