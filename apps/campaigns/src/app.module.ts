import { Module } from '@nestjs/common';
import { CoreModule } from '@cvp/nest-common';
import type { CampaignsConfig } from './config';
import { AudienceExport } from './audience-export';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { DECISION_OUTBOX_OPTIONS, DecisionOutbox } from './decision-outbox';
import { DecisionService } from './decision.service';
import { FeatureFacts } from './feature-facts';
import { ScoresConsumer } from './scores.consumer';
import { UpliftModels } from './uplift-models';

export function campaignsModule(config: CampaignsConfig) {
  @Module({
    imports: [
      CoreModule.forRoot({
        service: 'campaigns',
        config,
        dependencies: ['kafka', 'postgres'],
        optionalDependencies: ['redis'],
        // Rules on features read Redis: while it is down the consumer waits (uncounted retries) instead of
        // dead-lettering scores; the HTTP API stays ready.
        consumerDependencies: ['redis'],
      }),
    ],
    controllers: [ScoresConsumer, CampaignsController],
    providers: [
      DecisionService,
      UpliftModels,
      CampaignsService,
      AudienceExport,
      FeatureFacts,
      DecisionOutbox,
      {
        provide: DECISION_OUTBOX_OPTIONS,
        useValue: { intervalMs: config.DECISION_OUTBOX_INTERVAL_MS, graceMs: config.DECISION_OUTBOX_GRACE_MS },
      },
    ],
  })
  class CampaignsModule {}
  return CampaignsModule;
}
