import { telemetry } from './telemetry';
import { exitOnBootFailure, runService } from '@cvp/nest-common';
import { loadCampaignsConfig } from './config';
import { campaignsModule } from './app.module';

async function main(): Promise<void> {
  const config = loadCampaignsConfig();
  await runService({
    module: campaignsModule(config),
    port: config.PORT,
    host: config.HOST,
    startupTimeoutMs: config.STARTUP_TIMEOUT_MS,
    telemetry,
    consumerGroup: config.KAFKA_GROUP_ID,
  });
}

main().catch(exitOnBootFailure);
