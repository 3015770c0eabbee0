import { Module } from '@nestjs/common';
import { ErasureController, ErasureService } from './erasure';
import { EventRetention } from './retention';
import { CoreModule } from '@cvp/nest-common';
import { CommandsConsumer } from './commands.consumer';
import { TRAINER_CONFIG, type TrainerConfig } from './config';
import { TrainingEventStore } from './event-store';
import { EventsConsumer } from './events.consumer';
import { ModelRegistry } from './model-registry';
import { TrainController } from './train.controller';
import { TrainingService } from './training.service';
import { UpliftTraining } from './uplift-training';

export function trainerModule(config: TrainerConfig) {
  @Module({
    imports: [
      CoreModule.forRoot({
        service: 'trainer',
        config,
        dependencies: ['kafka', 'postgres'],
        optionalDependencies: ['redis'],
      }),
    ],
    controllers: [EventsConsumer, CommandsConsumer, TrainController, ErasureController],
    providers: [
      { provide: TRAINER_CONFIG, useValue: config },
      TrainingEventStore,
      ModelRegistry,
      TrainingService,
      UpliftTraining,
      ErasureService,
      EventRetention,
    ],
  })
  class TrainerModule {}
  return TrainerModule;
}
