import { telemetry } from './telemetry';
import { exitOnBootFailure, runService } from '@cvp/nest-common';
import { loadIngestConfig } from './config';
import { ingestModule } from './app.module';

async function main(): Promise<void> {
  const config = loadIngestConfig();
  await runService({
    module: ingestModule(config),
    port: config.PORT,
    host: config.HOST,
    startupTimeoutMs: config.STARTUP_TIMEOUT_MS,
    telemetry,
    jsonBodyLimitBytes: config.INGEST_MAX_BODY_BYTES,
  });
}

main().catch(exitOnBootFailure);
