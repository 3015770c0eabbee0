import { Module } from '@nestjs/common';
import { CoreModule } from '@cvp/nest-common';
import type { TrainerConfig } from './config';
import { TrainingEventStore } from './event-store';
import { EventsConsumer } from './events.consumer';

export function trainerModule(config: TrainerConfig) {
  @Module({
    imports: [CoreModule.forRoot({ service: 'trainer', config, dependencies: ['kafka', 'postgres'] })],
    controllers: [EventsConsumer],
    providers: [TrainingEventStore],
  })
  class TrainerModule {}
  return TrainerModule;
}
