/**
 * Exits 0 once the Kafka broker answers a real Metadata request (describeCluster) with a controller elected,
 * 1 after KAFKA_READY_TIMEOUT_MS (default 60 s). Used by deploy/local/infra.sh; brokers from KAFKA_BROKERS.
 */
import { connectAdmin, fail, timeoutFromEnv } from './kafka-admin';

async function main(): Promise<void> {
  const { admin, brokers } = await connectAdmin(timeoutFromEnv(60_000));
  try {
    const cluster = await admin.describeCluster();
    console.log(
      `[infra] kafka: ready at ${brokers.join(',')} (cluster ${cluster.clusterId}, ` +
        `${cluster.brokers.length} broker(s), controller ${cluster.controller})`,
    );
  } finally {
    await admin.disconnect();
  }
}

main().catch(fail);
