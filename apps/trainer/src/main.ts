import { telemetry } from './telemetry';
import { exitOnBootFailure, runService, serveOpenApi } from '@cvp/nest-common';
import { loadTrainerConfig } from './config';
import { trainerModule } from './app.module';
import { trainRequestSchema } from './train-request';

async function main(): Promise<void> {
  const config = loadTrainerConfig();
  await runService({
    module: trainerModule(config),
    config,
    telemetry,
    configure: (app) =>
      serveOpenApi(app, {
        title: 'CVP trainer',
        description: 'Training runs of the value model and the registry of model versions (PostgreSQL).',
        version: '1',
        requestSchemas: { TrainRequest: trainRequestSchema },
        schemas: {
          ModelVersion: {
            type: 'object',
            description:
              'A registered model version: version, kind, status, window, horizon, validation metrics, selection, artifact path and checksum',
          },
        },
      }),
  });
}

main().catch(exitOnBootFailure);
