import { createRedisClient, type RedisClient } from '@cvp/redis';

/**
 * The two Redis a store test runs against: one server (REDIS_URL) and the three-node Redis Cluster that
 * deploy/local/infra.sh starts beside it (REDIS_CLUSTER_URL), as `describe.each` rows. Generous command timeouts:
 * a loaded CI machine must not fail what the tests are not about.
 */
export function testRedisServers(): [string, RedisClient][] {
  return [
    [
      'one Redis server',
      createRedisClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', commandTimeoutMs: 5000 }),
    ],
    [
      'a three-node Redis Cluster',
      createRedisClient({
        url: process.env.REDIS_CLUSTER_URL ?? 'redis://127.0.0.1:7000',
        cluster: true,
        commandTimeoutMs: 5000,
      }),
    ],
  ];
}
