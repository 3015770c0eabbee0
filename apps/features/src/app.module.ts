import { Module } from '@nestjs/common';
import { CoreModule } from '@cvp/nest-common';
import { scoreClockProvider } from '@cvp/redis';
import type { FeaturesConfig } from './config';
import { EventsConsumer } from './events.consumer';
import { FeatureStore } from './feature-store';
import { FEATURES_CONFIG, PersistenceGuard } from './persistence-guard';

export function featuresModule(config: FeaturesConfig) {
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
