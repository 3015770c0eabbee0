import { Module } from '@nestjs/common';
import { CoreModule } from '@cvp/nest-common';
import { SCORER_CONFIG, type ScorerConfig } from './config';
import { FeaturesConsumer } from './features.consumer';
import { ModelHolder } from './model-holder';
import { ScoreStore } from './score-store';
import { ScoresController } from './scores.controller';
import { ScoringService } from './scoring.service';

export function scorerModule(config: ScorerConfig) {
  @Module({
    imports: [CoreModule.forRoot({ service: 'scorer', config, dependencies: ['kafka', 'redis'] })],
    controllers: [FeaturesConsumer, ScoresController],
    providers: [{ provide: SCORER_CONFIG, useValue: config }, ScoreStore, ModelHolder, ScoringService],
  })
  class ScorerModule {}
  return ScorerModule;
}
