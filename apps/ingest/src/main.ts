import { telemetry } from './telemetry';
import { exitOnBootFailure, runService } from '@cvp/nest-common';
import { loadIngestConfig } from './config';
import { ingestModule } from './app.module';

async function main(): Promise<void> {
  const config = loadIngestConfig();
  await runService({
    module: ingestModule(config),
    config,
    telemetry,
    jsonBodyLimitBytes: config.INGEST_MAX_BODY_BYTES,
  });
}

main().catch(exitOnBootFailure);
