import { telemetry } from './telemetry';
import { exitOnBootFailure, runService } from '@cvp/nest-common';
import { loadFeaturesConfig } from './config';
import { featuresModule } from './app.module';

async function main(): Promise<void> {
  const config = loadFeaturesConfig();
  await runService({
    module: featuresModule(config),
    port: config.PORT,
    host: config.HOST,
    startupTimeoutMs: config.STARTUP_TIMEOUT_MS,
    telemetry,
    consumerGroup: config.KAFKA_GROUP_ID,
  });
}

main().catch(exitOnBootFailure);
