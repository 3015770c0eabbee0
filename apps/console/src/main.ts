import { telemetry } from './telemetry';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { exitOnBootFailure, runService, serveOpenApi } from '@cvp/nest-common';
import { loadConsoleConfig } from './config';
import { consoleModule } from './app.module';
import { serveWebAssets } from './web-assets';

async function main(): Promise<void> {
  const config = loadConsoleConfig();
  await runService({
    module: consoleModule(config),
    config,
    telemetry,
    configure: (app) => {
      serveWebAssets(app as NestExpressApplication);
      serveOpenApi(app, {
        title: 'CVP console',
        description:
          "The console's page at /, its own reads under /v1/console, and every service's /v1 API under /api/<service>.",
        version: '1',
      });
    },
  });
}

main().catch(exitOnBootFailure);
