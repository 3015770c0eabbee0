import { Inject, Injectable, Optional } from '@nestjs/common';
import { pseudonym } from '@cvp/auth';
import { PrismaService } from '@cvp/db';
import { erasedAmong, REDIS, type RedisClient } from '@cvp/redis';

export const PSEUDONYM_KEY = Symbol('PSEUDONYM_KEY');

/**
 * Which customers were erased (`DELETE /v1/customers/:id`), by their pseudonyms: from the Redis tombstone set where the
 * service has Redis (one SMISMEMBER), else — or while Redis does not answer — from PostgreSQL's `erased_customers`.
 * Ingest refuses their events; every consumer skips their records (replays still in Kafka included). A lookup that
 * fails in every store throws: callers retry, never guess.
 */
@Injectable()
export class ErasedCustomers {
  constructor(
    @Inject(PSEUDONYM_KEY) private readonly key: string,
    @Optional() @Inject(REDIS) private readonly redis?: RedisClient,
    @Optional() private readonly prisma?: PrismaService,
  ) {}

  async among(customerIds: readonly string[]): Promise<Set<string>> {
    const ids = [...new Set(customerIds)];
    if (ids.length === 0 || (!this.redis && !this.prisma)) return new Set();
    const aliases = ids.map((id) => pseudonym(id, this.key));
    const erased = await this.fromRedis(aliases).catch(async (error: unknown) => {
      if (!this.prisma) throw error;
      return this.fromPostgres(aliases);
    });
    return new Set(ids.filter((_, i) => erased.has(aliases[i])));
  }

  private async fromRedis(aliases: string[]): Promise<Set<string>> {
    if (!this.redis) throw new Error('no Redis client');
    if (this.redis.status === 'wait') await this.redis.connect().catch(() => undefined);
    return erasedAmong(this.redis, aliases);
  }

  private async fromPostgres(aliases: string[]): Promise<Set<string>> {
    const rows = await this.prisma!.erasedCustomer.findMany({
      where: { pseudonym: { in: aliases } },
      select: { pseudonym: true },
    });
    return new Set(rows.map((row) => row.pseudonym));
  }
}
