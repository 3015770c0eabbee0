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
        // Score and recommendation lookups go without the per-request logger (at thousands a second it costs more
        // than the lookup itself, bench/serving.ts); their failures are still logged, a line each.
        unloggedRoutes: [
          { method: 'GET', path: 'v1/customers/:id/score' },
          { method: 'POST', path: 'v1/scores\\:batchGet' },
          { method: 'GET', path: 'v1/customers/:id/recommendations' },
          { method: 'POST', path: 'v1/recommendations\\:batchGet' },
        ],
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
