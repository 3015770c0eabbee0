import { telemetry } from './telemetry';
import { exitOnBootFailure, runService, serveOpenApi } from '@cvp/nest-common';
import { loadFeaturesConfig } from './config';
import { featuresModule } from './app.module';

async function main(): Promise<void> {
  const config = loadFeaturesConfig();
  await runService({
    module: featuresModule(config),
    config,
    telemetry,
    // Its work comes from Kafka; the document lists the health routes an orchestrator calls.
    configure: (app) =>
      serveOpenApi(app, {
        title: 'CVP features',
        description: 'Folds cvp.events.v1 into per-customer feature state (Redis) and publishes cvp.features.v1.',
        version: '1',
      }),
  });
}

main().catch(exitOnBootFailure);
