import { telemetry } from './telemetry';
import { exitOnBootFailure, runService } from '@cvp/nest-common';
import { loadCampaignsConfig } from './config';
import { campaignsModule } from './app.module';

async function main(): Promise<void> {
  const config = loadCampaignsConfig();
  await runService({
    module: campaignsModule(config),
    config,
    telemetry,
  });
}

main().catch(exitOnBootFailure);
