import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS } from '@cvp/contracts';
import { KafkaProducerService, type BatchOf } from '@cvp/kafka';
import { logId, PSEUDONYM_KEY } from '@cvp/nest-common';
import { decisionMessage, DecisionService, type DecisionOutcome } from './decision.service';
import { FeatureFacts } from './feature-facts';

/** cvp.scores.v1 -> campaign decision in PostgreSQL -> treated ones on cvp.decisions.v1. */
@Controller()
export class ScoresConsumer {
  constructor(
    private readonly decisions: DecisionService,
    private readonly featureFacts: FeatureFacts,
    private readonly producer: KafkaProducerService,
    private readonly logger: PinoLogger,
    @Inject(PSEUDONYM_KEY) private readonly pseudonymKey: string,
  ) {
    logger.setContext(ScoresConsumer.name);
  }

  @EventPattern(TOPICS.scores)
  async onScores(@Payload() batch: BatchOf<typeof TOPICS.scores>): Promise<void> {
    const campaigns = await this.decisions.activeCampaigns();
    const features =
      campaigns.length > 0
        ? await this.featureFacts.forScores(
            batch.records.map((record) => record.value),
            // Rules on features, and win-backs (valued on the customer's spend while active), read the features.
            campaigns.some((campaign) => this.decisions.readsFeatures(campaign) || campaign.action === 'win_back'),
          )
        : new Map();
    const toPublish: { outcome: DecisionOutcome; traceContext: (typeof batch.records)[number]['traceContext'] }[] = [];
    for (const record of batch.records) {
      const outcome = await this.decisions.decide(record.value, campaigns, features.get(record.value.customerId));
      if (!outcome) continue;
      this.logger.info(
        {
          customer: logId(record.value.customerId, this.pseudonymKey),
          campaign: outcome.campaign.key,
          group: outcome.decision.group,
          offset: record.offset,
        },
        'decision',
      );
      if (outcome.needsPublish) toPublish.push({ outcome, traceContext: record.traceContext });
      await batch.heartbeat();
    }
    await this.producer.send(
      TOPICS.decisions,
      toPublish.map(({ outcome, traceContext }) => ({ value: decisionMessage(outcome), traceContext })),
    );
    await this.decisions.markPublished(toPublish.map(({ outcome }) => outcome.decision.id));
  }
}
