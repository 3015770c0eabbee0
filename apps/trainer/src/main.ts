import { telemetry } from './telemetry';
import { exitOnBootFailure, runService } from '@cvp/nest-common';
import { loadTrainerConfig } from './config';
import { trainerModule } from './app.module';

async function main(): Promise<void> {
  const config = loadTrainerConfig();
  await runService({
    module: trainerModule(config),
    config,
    telemetry,
  });
}

main().catch(exitOnBootFailure);
