import { Inject, Injectable } from '@nestjs/common';
import type { CustomerScore } from '@cvp/contracts';
import type { Campaign } from '@cvp/db';
import { pseudonym } from '@cvp/auth';
import { audienceRuleSchema, matchesAudience, type AudienceRule } from '@cvp/decisioning';
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

/** What an audience rule would reach now (`POST /v1/campaigns/audience-preview`). */
export interface AudiencePreview {
  /** Latest scores the rule matches. */
  matching: number;
  /** Latest scores looked at (every customer with a score). */
  scored: number;
  /** The matching ones by value tier. */
  byTier: Record<string, number>;
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
    let rows = 0;
    for await (const page of this.matching(audienceRuleSchema.parse(campaign.audience))) {
      let chunk = '';
      for (const score of page) {
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

  /** How many latest scores match `rule` now, of how many scanned: the audience a campaign with it would have. */
  async count(rule: AudienceRule): Promise<AudiencePreview> {
    const preview: AudiencePreview = { matching: 0, scored: 0, byTier: {} };
    for await (const page of this.matching(rule, (scored) => (preview.scored += scored))) {
      preview.matching += page.length;
      for (const score of page) preview.byTier[score.tier] = (preview.byTier[score.tier] ?? 0) + 1;
    }
    return preview;
  }

  /** The latest scores that match `rule`, a SCAN page at a time; `scanned` hears how many scores each page held. */
  private async *matching(rule: AudienceRule, scanned?: (scores: number) => void): AsyncGenerator<CustomerScore[]> {
    if (this.redis.status === 'wait') await this.redis.connect();
    for await (const { keys, node } of scanPages(this.redis, scoreKeyPattern())) {
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.hgetall(key);
      const results = (await pipeline.exec()) ?? [];
      const page: CustomerScore[] = [];
      let scores = 0;
      for (const [error, hash] of results) {
        if (error) throw error;
        const fields = hash as Record<string, string>;
        if (!fields.customerId) continue; // expired between SCAN and HGETALL
        scores++;
        const score = fromScoreHash(fields);
        const { reasons: _reasons, recommendations: _recommendations, ...facts } = score;
        if (matchesAudience(rule, facts)) page.push(score);
      }
      scanned?.(scores);
      if (page.length > 0) yield page;
    }
  }
}
