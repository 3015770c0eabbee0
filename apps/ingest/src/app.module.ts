import { Module } from '@nestjs/common';
import { CoreModule } from '@cvp/nest-common';
import { INGEST_CONFIG, type IngestConfig } from './config';
import { EventsController } from './events.controller';

export function ingestModule(config: IngestConfig) {
  @Module({
    imports: [
      CoreModule.forRoot({
        service: 'ingest',
        config,
        dependencies: ['kafka'],
        optionalDependencies: ['postgres', 'redis'],
      }),
    ],
    controllers: [EventsController],
    providers: [{ provide: INGEST_CONFIG, useValue: config }],
  })
  class IngestModule {}
  return IngestModule;
}
