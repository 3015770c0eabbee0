import { Inject, Injectable } from '@nestjs/common';
import type { CustomerScore } from '@cvp/contracts';
import type { Campaign } from '@cvp/db';
import { pseudonym } from '@cvp/auth';
import { audienceRuleSchema, matchesAudience } from '@cvp/decisioning';
import { fromScoreHash, REDIS, type RedisClient, scanPages, scoreKeyPattern } from '@cvp/redis';

export type AudienceFormat = 'csv' | 'jsonl';

/** How customers are named in an export: by pseudonym (the default: ids leave CVP only when asked for) or raw id. */
export type AudienceIds = 'pseudonym' | 'raw';
/** The most rows one export may hold (`limit`); the default is the same. */
export const MAX_AUDIENCE_ROWS = 1_000_000;

export interface AudienceOptions {
  format: AudienceFormat;
  ids: AudienceIds;
  limit: number;
  pseudonymKey: string;
}

export const AUDIENCE_COLUMNS = [
  'customerId',
  'tier',
  'expectedSpend',
  'pBuyAgain',
  'churnRisk',
  'modelVersion',
  'asOf',
] as const satisfies readonly (keyof CustomerScore)[];

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
const csvField = (value: unknown) => {
  const text = String(value ?? '');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * The current audience of a campaign: every latest score in Redis that matches the campaign's audience rule,
 * streamed a SCAN page at a time (never the whole keyspace in memory), as CSV (with a header) or JSON lines.
 */
@Injectable()
export class AudienceExport {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  header(format: AudienceFormat): string {
    return format === 'csv' ? `${AUDIENCE_COLUMNS.join(',')}\n` : '';
  }

  async *lines(campaign: Campaign, options: AudienceOptions): AsyncGenerator<string> {
    const { format, ids, limit, pseudonymKey } = options;
    const rule = audienceRuleSchema.parse(campaign.audience);
    let rows = 0;
    if (this.redis.status === 'wait') await this.redis.connect();
    for await (const { keys, node } of scanPages(this.redis, scoreKeyPattern())) {
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.hgetall(key);
      const results = (await pipeline.exec()) ?? [];
      let chunk = '';
      for (const [error, hash] of results) {
        if (error) throw error;
        const fields = hash as Record<string, string>;
        if (!fields.customerId) continue; // expired between SCAN and HGETALL
        const score = fromScoreHash(fields);
        const { reasons: _reasons, recommendations: _recommendations, ...facts } = score;
        if (!matchesAudience(rule, facts)) continue;
        if (rows++ >= limit) break;
        if (ids === 'pseudonym') score.customerId = pseudonym(score.customerId, pseudonymKey);
        chunk +=
          format === 'csv'
            ? `${AUDIENCE_COLUMNS.map((column) => csvField(score[column])).join(',')}\n`
            : `${JSON.stringify(Object.fromEntries(AUDIENCE_COLUMNS.map((column) => [column, score[column]])))}\n`;
      }
      if (chunk) yield chunk;
      if (rows > limit) return;
    }
  }
}
