import { telemetry } from './telemetry';
import { exitOnBootFailure, runService } from '@cvp/nest-common';
import { loadTrainerConfig } from './config';
import { trainerModule } from './app.module';

async function main(): Promise<void> {
  const config = loadTrainerConfig();
  await runService({
    module: trainerModule(config),
    port: config.PORT,
    host: config.HOST,
    startupTimeoutMs: config.STARTUP_TIMEOUT_MS,
    telemetry,
    consumerGroup: config.KAFKA_GROUP_ID,
  });
}

main().catch(exitOnBootFailure);
