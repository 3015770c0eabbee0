import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { campaignOutcomes, PrismaService, type Campaign, type Prisma } from '@cvp/db';
import { scoreFields, trainCampaignUplift, type CampaignOutcome } from '@cvp/uplift';
import { TRAINER_CONFIG, type TrainerConfig } from './config';

export type CampaignUpliftSummary =
  | { status: 'too_few'; treated: number; control: number; reason: string }
  | {
      status: 'published' | 'rejected';
      version: string;
      learner: string;
      treated: number;
      control: number;
      reason: string;
    };

/**
 * Each campaign's uplift model, learnt from its own randomised decisions: every customer's first decision in the
 * campaign (treated or control, the score it was taken on) whose attribution window closed before the run's `to`,
 * and the revenue of their purchases inside that window (from the event store, as the campaign report reads it).
 * Registered in `uplift_models`; published (the campaigns service then decides by it) only when it ranked who buys
 * because of the action better than the constant rate on validation parts of those decisions (`trainCampaignUplift`).
 */
@Injectable()
export class UpliftTraining {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(TRAINER_CONFIG) private readonly config: TrainerConfig,
    private readonly logger: PinoLogger,
  ) {}

  async trainAll(runVersion: string, to: Date, seed: number): Promise<Record<string, CampaignUpliftSummary>> {
    const campaigns = await this.prisma.campaign.findMany({
      where: { status: { not: 'draft' } },
      orderBy: { key: 'asc' },
    });
    const summary: Record<string, CampaignUpliftSummary> = {};
    for (const campaign of campaigns) {
      const outcomes = await this.outcomes(campaign, to);
      const result = await trainCampaignUplift(outcomes, {
        minPerGroup: this.config.UPLIFT_MIN_GROUP,
        permutations: this.config.UPLIFT_PERMUTATIONS,
        seed,
      });
      if (result.status === 'too_few') {
        summary[campaign.key] = result;
        continue;
      }
      const version = `${runVersion}-uplift-${campaign.key}`;
      await this.prisma.upliftModel.create({
        data: {
          version,
          campaignId: campaign.id,
          learner: result.learner,
          model: result.model as unknown as Prisma.InputJsonValue,
          metrics: {
            treated: result.treated,
            control: result.control,
            buyers: result.buyers,
            validationQini: result.validationQini,
            lead: result.lead,
            reason: result.reason,
            outcome: "purchase in the attribution window (0/1); a buyer's revenue regressed on the spend per buyer",
          },
          trainedTo: to,
          publishedAt: result.publish ? new Date() : null,
        },
      });
      summary[campaign.key] = {
        status: result.publish ? 'published' : 'rejected',
        version,
        learner: result.learner,
        treated: result.treated,
        control: result.control,
        reason: result.reason,
      };
      this.logger.info({ campaign: campaign.key, ...summary[campaign.key] }, 'uplift model trained');
    }
    return summary;
  }

  private async outcomes(campaign: Campaign, to: Date): Promise<CampaignOutcome[]> {
    const rows = await campaignOutcomes(this.prisma, campaign, to);
    return rows.map((row) => ({
      group: row.group,
      score: scoreFields(row.score),
      revenue: Math.max(0, row.revenue),
    }));
  }
}
