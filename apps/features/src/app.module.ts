import { Module } from '@nestjs/common';
import { CoreModule } from '@cvp/nest-common';
import { scoreClockProvider } from '@cvp/redis';
import type { FeaturesConfig } from './config';
import { EventsConsumer } from './events.consumer';
import { FeatureStore } from './feature-store';
import { FEATURES_CONFIG, PersistenceGuard } from './persistence-guard';
import { ReviewBackfill } from './review-backfill';
import { ReviewHeadHolder } from './review-head';
import { ReviewTextConsumer } from './review-text.consumer';

export function featuresModule(config: FeaturesConfig) {
  if (config.FEATURES_ROLE === 'review-text') {
    @Module({
      imports: [CoreModule.forRoot({ service: 'features', config, dependencies: ['kafka', 'postgres'] })],
      controllers: [ReviewTextConsumer],
      providers: [{ provide: FEATURES_CONFIG, useValue: config }, ReviewHeadHolder, ReviewBackfill],
    })
    class ReviewTextModule {}
    return ReviewTextModule;
  }
  @Module({
    imports: [CoreModule.forRoot({ service: 'features', config, dependencies: ['kafka', 'redis'] })],
    controllers: [EventsConsumer],
    providers: [
      FeatureStore,
      scoreClockProvider(config),
      { provide: FEATURES_CONFIG, useValue: config },
      PersistenceGuard,
    ],
  })
  class FeaturesModule {}
  return FeaturesModule;
}
