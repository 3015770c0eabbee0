import Redis, { Cluster, type ChainableCommander } from 'ioredis';
import calculateSlot from 'cluster-key-slot';

/**
 * The Redis CVP talks to: one server (`Redis`) or a Redis Cluster (`Cluster`, REDIS_CLUSTER=true). Both answer the
 * same commands; on a cluster a command, script, MULTI or pipeline may only touch keys of one hash slot (one node for
 * a pipeline), which the key layout (`keys.ts`) and the helpers below take care of.
 */
export type RedisClient = Redis | Cluster;

export const isCluster = (redis: RedisClient): redis is Cluster => redis instanceof Cluster;

/**
 * The positions of `keys` grouped by the node that serves them (by hash slot until the client knows the slot map),
 * in order of first appearance: one group on a single server.
 */
export function groupByNode(redis: RedisClient, keys: readonly string[]): number[][] {
  if (!isCluster(redis)) return keys.length === 0 ? [] : [keys.map((_, i) => i)];
  const groups = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const slot = calculateSlot(key);
    const node = redis.slots[slot]?.join(';') ?? `slot:${slot}`; // as ioredis groups a pipeline's nodes
    const group = groups.get(node);
    if (group) group.push(i);
    else groups.set(node, [i]);
  });
  return [...groups.values()];
}

export type PipelineResult = [Error | null, unknown];

/**
 * One command per key (`add`), sent as one pipeline per node (all at once), the results in the order of `keys`. Each
 * command may touch other keys only of its own key's hash slot.
 */
export async function pipelineByNode(
  redis: RedisClient,
  keys: readonly string[],
  add: (pipeline: ChainableCommander, key: string, index: number) => void,
): Promise<PipelineResult[]> {
  const results: PipelineResult[] = new Array(keys.length);
  await Promise.all(
    groupByNode(redis, keys).map(async (group) => {
      const pipeline = redis.pipeline();
      for (const i of group) add(pipeline, keys[i], i);
      const answers = (await pipeline.exec()) ?? [];
      group.forEach((i, at) => (results[i] = (answers[at] ?? [new Error('no answer'), null]) as PipelineResult));
    }),
  );
  return results;
}

/** `pipelineByNode`'s answers, throwing the first error. */
export function valuesOrThrow(results: readonly PipelineResult[]): unknown[] {
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** GET of many keys: one MGET on a single server; on a cluster one MGET per hash slot, a pipeline per node. */
export async function getMany(redis: RedisClient, keys: readonly string[]): Promise<(string | null)[]> {
  if (keys.length === 0) return [];
  if (!isCluster(redis)) return redis.mget(keys as string[]);
  const bySlot = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const slot = calculateSlot(key);
    const group = bySlot.get(slot);
    if (group) group.push(i);
    else bySlot.set(slot, [i]);
  });
  const slots = [...bySlot.values()];
  const firsts = slots.map((group) => keys[group[0]]);
  const answers = valuesOrThrow(
    await pipelineByNode(redis, firsts, (pipeline, _key, at) => pipeline.mget(slots[at].map((i) => keys[i]))),
  ) as (string | null)[][];
  const values: (string | null)[] = new Array(keys.length);
  slots.forEach((group, at) => group.forEach((i, k) => (values[i] = answers[at][k])));
  return values;
}

/**
 * Every key matching `pattern`, a SCAN page at a time (on every master of a cluster), with the node that holds them
 * (a page's keys may be used together in a pipeline on that node).
 */
export async function* scanPages(
  redis: RedisClient,
  pattern: string,
  count = 1000,
): AsyncGenerator<{ keys: string[]; node: Redis }> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield { keys, node };
    } while (cursor !== '0');
  }
}

/** Resolves once the client is ready: connects a lazy one, waits for one that is connecting (up to `timeoutMs`). */
export async function connected(redis: RedisClient, timeoutMs = 2000): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') {
    await redis.connect();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', ready);
      reject(new Error(`Redis still ${redis.status} after ${timeoutMs} ms`));
    }, timeoutMs);
    const ready = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', ready);
  });
}

/**
 * A second client to the same Redis (server or cluster) with its own command timeout. With `autoPipelining`, commands
 * sent in the same turn of the event loop, or while an earlier batch is out, go to each node as one pipeline (one
 * write): what concurrent lookups want, each a command of its own.
 */
export function duplicateClient(
  redis: RedisClient,
  commandTimeoutMs: number,
  { autoPipelining = false }: { autoPipelining?: boolean } = {},
): RedisClient {
  if (isCluster(redis)) {
    return redis.duplicate(undefined, {
      lazyConnect: true,
      enableAutoPipelining: autoPipelining,
      redisOptions: { ...redis.options.redisOptions, commandTimeout: commandTimeoutMs },
    });
  }
  return redis.duplicate({ commandTimeout: commandTimeoutMs, lazyConnect: true, enableAutoPipelining: autoPipelining });
}
