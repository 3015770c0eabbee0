import { telemetry } from './telemetry';
import { exitOnBootFailure, runService, serveOpenApi } from '@cvp/nest-common';
import { loadFeaturesConfig } from './config';
import { featuresModule } from './app.module';
import { lowerOwnPriority } from './priority';

async function main(): Promise<void> {
  const config = loadFeaturesConfig();
  // Before the encoder loads, so its threads inherit the niceness.
  if (config.FEATURES_ROLE === 'review-text') lowerOwnPriority(config.TEXT_WORKER_NICE);
  await runService({
    module: featuresModule(config),
    config,
    maxRecordsPerCall: config.FEATURES_ROLE === 'review-text' ? config.TEXT_EVENTS_PER_READ : undefined,
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
