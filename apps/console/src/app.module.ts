import { Module } from '@nestjs/common';
import { CoreModule } from '@cvp/nest-common';
import { upstreamUrls, type ConsoleConfig } from './config';
import { ConsoleController } from './console.controller';
import { ProxyController } from './proxy.controller';
import { Pulse, PULSE_OPTIONS, type PulseOptions } from './pulse';
import { UPSTREAM_OPTIONS, Upstreams, type UpstreamOptions } from './upstreams';

export function consoleModule(config: ConsoleConfig) {
  @Module({
    imports: [
      CoreModule.forRoot({
        service: 'console',
        config,
        // API keys are checked in PostgreSQL; Kafka gives the pipeline's figures. Redis only counts requests per key.
        dependencies: ['kafka', 'postgres'],
        optionalDependencies: ['redis'],
      }),
    ],
    controllers: [ConsoleController, ProxyController],
    providers: [
      Upstreams,
      Pulse,
      {
        provide: UPSTREAM_OPTIONS,
        useValue: {
          urls: upstreamUrls(config),
          timeoutMs: config.CONSOLE_UPSTREAM_TIMEOUT_MS,
        } satisfies UpstreamOptions,
      },
      {
        provide: PULSE_OPTIONS,
        useValue: {
          intervalMs: config.CONSOLE_PULSE_INTERVAL_MS,
          groupPrefix: config.CONSOLE_GROUP_PREFIX,
        } satisfies PulseOptions,
      },
    ],
  })
  class ConsoleModule {}
  return ConsoleModule;
}
