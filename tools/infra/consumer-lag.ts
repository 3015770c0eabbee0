/**
 * Prints the lag of every CVP consumer group (groups named cvp-…) on every topic it consumes: records not committed
 * yet. Run by `npm run infra:status`, or by hand: node -r @swc-node/register tools/infra/consumer-lag.ts
 */
import { allGroupLags } from '../../libs/infra/kafka/src/lag';
import { connectAdmin, fail, timeoutFromEnv } from './kafka-admin';

async function main(): Promise<void> {
  const { admin } = await connectAdmin(timeoutFromEnv(5_000));
  try {
    const lags = await allGroupLags(admin, 'cvp-');
    if (lags.length === 0) {
      console.log('consumer lag: no cvp-* consumer group has committed yet');
      return;
    }
    const width = Math.max(...lags.map((entry) => entry.groupId.length));
    const topicWidth = Math.max(...lags.map((entry) => entry.topic.length));
    console.log('consumer lag (records not committed yet):');
    for (const { groupId, topic, lag } of lags) {
      console.log(`  ${groupId.padEnd(width)}  ${topic.padEnd(topicWidth)}  ${String(lag).padStart(8)}`);
    }
  } finally {
    await admin.disconnect();
  }
}

main().catch(fail);
