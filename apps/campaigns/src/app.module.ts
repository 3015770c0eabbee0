import { Module } from '@nestjs/common';
import { CoreModule } from '@cvp/nest-common';
import type { CampaignsConfig } from './config';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';
import { DecisionService } from './decision.service';
import { ScoresConsumer } from './scores.consumer';

export function campaignsModule(config: CampaignsConfig) {
  @Module({
    imports: [CoreModule.forRoot({ service: 'campaigns', config, dependencies: ['kafka', 'postgres'] })],
    controllers: [ScoresConsumer, CampaignsController],
    providers: [DecisionService, CampaignsService],
  })
  class CampaignsModule {}
  return CampaignsModule;
}
