import { telemetry } from './telemetry';
import { exitOnBootFailure, runService, serveOpenApi } from '@cvp/nest-common';
import { audiencePreviewSchema, createCampaignSchema, updateCampaignSchema } from './campaign-request';
import { loadCampaignsConfig } from './config';
import { campaignsModule } from './app.module';

async function main(): Promise<void> {
  const config = loadCampaignsConfig();
  await runService({
    module: campaignsModule(config),
    config,
    telemetry,
    configure: (app) =>
      serveOpenApi(app, {
        title: 'CVP campaigns',
        description:
          'Campaigns (audience rules over score fields, action, budget, caps, control share) and their measured uplift.',
        version: '1',
        requestSchemas: {
          CreateCampaign: createCampaignSchema,
          UpdateCampaign: updateCampaignSchema,
          AudiencePreviewRequest: audiencePreviewSchema,
        },
        schemas: {
          Campaign: {
            type: 'object',
            description: 'A stored campaign: the CreateCampaign fields plus id, budgetSpent, createdAt, updatedAt',
          },
        },
      }),
  });
}

main().catch(exitOnBootFailure);
