import { telemetry } from './telemetry';
import { exitOnBootFailure, runService } from '@cvp/nest-common';
import { loadScorerConfig } from './config';
import { scorerModule } from './app.module';

async function main(): Promise<void> {
  const config = loadScorerConfig();
  await runService({
    module: scorerModule(config),
    config,
    telemetry,
  });
}

main().catch(exitOnBootFailure);
