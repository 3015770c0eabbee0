import { execFileSync } from 'node:child_process';

/**
 * Switching KAFKA_CLIENT must not move a customer to another partition, or its events would be reordered across
 * the switch. @platformatic/kafka is an ES module that Jest cannot require on Node 20, so the comparison runs in a
 * plain Node process.
 */
describe('PlatformaticWire partitioning', () => {
  const compare = (partitioner: 'compatibilityPartitioner' | 'defaultPartitioner') =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '-e',
          `
const platformatic = require('@platformatic/kafka');
const kafkajs = require('kafkajs').Partitioners.DefaultPartitioner();
const out = {};
for (const partitions of [1, 6, 12]) {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1 }));
  let differ = 0;
  for (let i = 0; i < 2000; i++) {
    const key = Buffer.from('customer-' + i);
    const expected = kafkajs({ topic: 't', partitionMetadata, message: { key } });
    if (platformatic.${partitioner}({}, key) % partitions !== expected) differ++;
  }
  out[partitions] = differ;
}
process.stdout.write(JSON.stringify(out));
`,
        ],
        { encoding: 'utf8', env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } },
      ),
    );

  it('puts every key on the same partition as kafkajs (and the Java client) with compatibilityPartitioner', () => {
    expect(compare('compatibilityPartitioner')).toEqual({ 1: 0, 6: 0, 12: 0 });
  });

  it('would not with its default partitioner, which is why the wire sets one', () => {
    expect(compare('defaultPartitioner')[6]).toBeGreaterThan(500);
  });
});
