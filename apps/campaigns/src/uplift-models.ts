import { Injectable } from '@nestjs/common';
import { PrismaService } from '@cvp/db';
import type { CampaignUpliftModel } from '@cvp/uplift';

export interface PublishedUplift {
  version: string;
  model: CampaignUpliftModel;
}

/** How long the campaigns service serves the published uplift models it read before reading them again. */
const REFRESH_MS = 5_000;

/**
 * The newest published uplift model of each campaign (`uplift_models`, written by the trainer), read from PostgreSQL
 * at most every 5 s (one small query): a model published by a training run drives decisions within seconds.
 */
@Injectable()
export class UpliftModels {
  private cache: { at: number; models: Promise<Map<string, PublishedUplift>> } | null = null;

  constructor(private readonly prisma: PrismaService) {}

  async published(): Promise<Map<string, PublishedUplift>> {
    if (!this.cache || Date.now() - this.cache.at > REFRESH_MS) {
      const models = this.read();
      this.cache = { at: Date.now(), models };
      models.catch(() => (this.cache = null)); // a failed read is retried on the next call, not cached
    }
    return this.cache.models;
  }

  /** Forgets what was read (tests, and an operator publishing by hand). */
  refresh(): void {
    this.cache = null;
  }

  private async read(): Promise<Map<string, PublishedUplift>> {
    const rows = await this.prisma.upliftModel.findMany({
      where: { publishedAt: { not: null } },
      orderBy: [{ campaignId: 'asc' }, { publishedAt: 'desc' }],
      distinct: ['campaignId'],
      select: { campaignId: true, version: true, model: true },
    });
    return new Map(
      rows.map((row) => [row.campaignId, { version: row.version, model: row.model as unknown as CampaignUpliftModel }]),
    );
  }
}
