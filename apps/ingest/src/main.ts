import { telemetry } from './telemetry';
import { clickstreamEventSchema } from '@cvp/contracts';
import { exitOnBootFailure, runService, serveOpenApi } from '@cvp/nest-common';
import { loadIngestConfig } from './config';
import { ingestModule } from './app.module';

async function main(): Promise<void> {
  const config = loadIngestConfig();
  await runService({
    module: ingestModule(config),
    config,
    telemetry,
    jsonBodyLimitBytes: config.INGEST_MAX_BODY_BYTES,
    configure: (app) =>
      serveOpenApi(app, {
        title: 'CVP ingest',
        description:
          'Clickstream events in: validated, then produced to Kafka (cvp.events.v1) with acks from all replicas.',
        version: '1',
        requestSchemas: { ClickstreamEvent: clickstreamEventSchema },
        schemas: {
          EventRequest: {
            oneOf: [
              { $ref: '#/components/schemas/ClickstreamEvent' },
              {
                type: 'object',
                properties: {
                  events: {
                    type: 'array',
                    minItems: 1,
                    maxItems: config.INGEST_MAX_BATCH,
                    items: { $ref: '#/components/schemas/ClickstreamEvent' },
                  },
                },
                required: ['events'],
                additionalProperties: false,
              },
            ],
          },
        },
      }),
  });
}

main().catch(exitOnBootFailure);
