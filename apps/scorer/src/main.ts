import { telemetry } from './telemetry';
import { customerScoreSchema, TIERS } from '@cvp/contracts';
import { exitOnBootFailure, runService, serveOpenApi } from '@cvp/nest-common';
import { loadScorerConfig } from './config';
import { scorerModule } from './app.module';
import { batchGetRequestSchema } from './scores.controller';
import { recommendationsBatchRequestSchema } from './recommendations.controller';

const tierTotals = {
  type: 'object',
  properties: { customers: { type: 'integer' }, expectedSpend: { type: 'number' } },
  required: ['customers', 'expectedSpend'],
};

async function main(): Promise<void> {
  const config = loadScorerConfig();
  await runService({
    module: scorerModule(config),
    config,
    // Score lookups at thousands a second: Fastify's per-request overhead is a fraction of Express's.
    http: 'fastify',
    telemetry,
    configure: (app) =>
      serveOpenApi(app, {
        title: 'CVP scorer',
        description:
          'Latest value score per customer (Redis): single and batch lookups, tier totals; value over any horizon; product recommendations.',
        version: '1',
        requestSchemas: {
          BatchGetRequest: batchGetRequestSchema,
          RecommendationsBatchRequest: recommendationsBatchRequestSchema,
        },
        schemas: {
          CustomerScore: customerScoreSchema,
          CustomerValue: {
            type: 'object',
            properties: {
              customerId: { type: 'string' },
              asOf: { type: 'string', format: 'date-time' },
              lastEventAt: { type: 'string', format: 'date-time' },
              horizonDays: { type: 'integer' },
              annualDiscountRate: { type: 'number' },
              expectedSpend: { type: 'number' },
              clv: { type: 'number' },
              pBuy: { type: 'number' },
              probabilityAlive: { type: ['number', 'null'] },
              modelVersion: { type: 'string' },
            },
          },
          CustomerRecommendations: {
            type: 'object',
            properties: {
              customerId: { type: 'string' },
              modelVersion: { type: 'string' },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    productId: { type: 'string' },
                    reason: {
                      type: 'string',
                      enum: ['bought-before', 'viewed-lately', 'goes-with-their-items', 'popular-now'],
                    },
                  },
                  required: ['productId', 'reason'],
                },
              },
            },
            required: ['customerId', 'modelVersion', 'items'],
          },
          TierSummary: {
            type: 'object',
            properties: {
              tiers: { type: 'object', properties: Object.fromEntries(TIERS.map((tier) => [tier, tierTotals])) },
              customers: { type: 'integer' },
            },
          },
        },
      }),
  });
}

main().catch(exitOnBootFailure);
