import { telemetry } from './telemetry';
import { exitOnBootFailure, runService } from '@cvp/nest-common';
import { loadScorerConfig } from './config';
import { scorerModule } from './app.module';

async function main(): Promise<void> {
  const config = loadScorerConfig();
  await runService({
    module: scorerModule(config),
    port: config.PORT,
    host: config.HOST,
    startupTimeoutMs: config.STARTUP_TIMEOUT_MS,
    telemetry,
    consumerGroup: config.KAFKA_GROUP_ID,
  });
}

main().catch(exitOnBootFailure);
