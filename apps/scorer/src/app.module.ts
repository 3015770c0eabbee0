import { RecommendationsController } from './recommendations.controller';
import { Module } from '@nestjs/common';
import { CoreModule } from '@cvp/nest-common';
import { scoreClockProvider } from '@cvp/redis';
import { SCORER_CONFIG, type ScorerConfig } from './config';
import { FeaturesConsumer } from './features.consumer';
import { ModelHolder } from './model-holder';
import { ScoreStore } from './score-store';
import { ScoresController } from './scores.controller';
import { ScoringService } from './scoring.service';
import { SweepLedger } from './sweep-ledger';
import { SweepService } from './sweep.service';
import { SweepsController } from './sweeps.controller';

export function scorerModule(config: ScorerConfig) {
  @Module({
    imports: [
      CoreModule.forRoot({
        service: 'scorer',
        config,
        dependencies: ['kafka', 'redis'],
        optionalDependencies: ['postgres'],
        // Score lookups answered are logged at debug: at thousands a second, a log line each costs more than the
        // lookup itself (bench/serving.ts); failures still log at info or error.
        quietRequests: (method, url) =>
          (method === 'GET' && /^\/v1\/customers\/[^/]+\/score(\?|$)/.test(url)) ||
          (method === 'POST' && url.startsWith('/v1/scores:batchGet')),
      }),
    ],
    controllers: [FeaturesConsumer, ScoresController, RecommendationsController, SweepsController],
    providers: [
      { provide: SCORER_CONFIG, useValue: config },
      scoreClockProvider(config),
      ScoreStore,
      ModelHolder,
      ScoringService,
      SweepLedger,
      SweepService,
    ],
  })
  class ScorerModule {}
  return ScorerModule;
}
