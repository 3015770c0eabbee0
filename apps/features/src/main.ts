import { telemetry } from './telemetry';
import { exitOnBootFailure, runService } from '@cvp/nest-common';
import { loadFeaturesConfig } from './config';
import { featuresModule } from './app.module';

async function main(): Promise<void> {
  const config = loadFeaturesConfig();
  await runService({
    module: featuresModule(config),
    config,
    telemetry,
  });
}

main().catch(exitOnBootFailure);
