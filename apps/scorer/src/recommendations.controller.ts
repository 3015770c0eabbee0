import { RequireRole } from '@cvp/auth';
import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { validOrBadRequest } from '@cvp/nest-common';
import type { Recommendation } from '@cvp/contracts';
import { recommendationsForMany, type ServedRecommender } from '@cvp/recommend';
import { ScoreClock } from '@cvp/redis';
import { ModelHolder } from './model-holder';
import { ScoreStore } from './score-store';

export const MAX_RECOMMENDATIONS = 100;
export const MAX_BATCH_RECOMMENDATIONS = 100;

const listOptions = {
  n: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_RECOMMENDATIONS, `must be at most ${MAX_RECOMMENDATIONS}`)
    .default(10),
  exclude: z.enum(['purchased'], { error: 'the only exclusion is "purchased"' }).optional(),
};
export const recommendationsQuerySchema = z.object(listOptions).strict();
export const recommendationsBatchRequestSchema = z
  .object({
    customerIds: z
      .array(z.string().min(1, 'a customer id must not be empty').max(128))
      .min(1, 'give at least one customer id')
      .max(MAX_BATCH_RECOMMENDATIONS, `at most ${MAX_BATCH_RECOMMENDATIONS} customer ids per request`),
    ...listOptions,
  })
  .strict();

export interface CustomerRecommendations {
  customerId: string;
  /** The model version whose recommender made the list. */
  modelVersion: string;
  items: Recommendation[];
}

/**
 * Product recommendations per customer: the published version's recommender over the customer's items as the stream
 * left them in Redis a moment ago (a product viewed a second ago is on the list); new customers get what sells now.
 */
@ApiTags('recommendations')
@RequireRole('reader')
@Controller('v1')
export class RecommendationsController {
  constructor(
    private readonly store: ScoreStore,
    private readonly models: ModelHolder,
    private readonly clock: ScoreClock,
  ) {}

  @Get('customers/:id/recommendations')
  @ApiOperation({ summary: "A customer's top products, each with why" })
  @ApiQuery({ name: 'n', required: false, description: `1..${MAX_RECOMMENDATIONS} (default 10)` })
  @ApiQuery({ name: 'exclude', required: false, description: '`purchased`: leave out what the customer bought' })
  @ApiOkResponse({ schema: { $ref: '#/components/schemas/CustomerRecommendations' } })
  @ApiResponse({ status: 400, description: 'Bad query: field errors listed' })
  @ApiResponse({ status: 409, description: 'No published model version carries a recommender yet' })
  @ApiResponse({ status: 503, description: 'Redis does not answer' })
  async recommendations(@Param('id') customerId: string, @Query() query: unknown): Promise<CustomerRecommendations> {
    const options = validOrBadRequest(recommendationsQuerySchema, query, 'recommendations query');
    const [list] = await this.lists([customerId], options);
    return list;
  }

  @Post('recommendations::batchGet')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: `Recommendations of up to ${MAX_BATCH_RECOMMENDATIONS} customers in one Redis round trip` })
  @ApiBody({ schema: { $ref: '#/components/schemas/RecommendationsBatchRequest' } })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { lists: { type: 'array', items: { $ref: '#/components/schemas/CustomerRecommendations' } } },
    },
  })
  @ApiResponse({ status: 400, description: 'Bad body: field errors listed' })
  @ApiResponse({ status: 409, description: 'No published model version carries a recommender yet' })
  @ApiResponse({ status: 503, description: 'Redis does not answer' })
  async batchGet(@Body() body: unknown): Promise<{ lists: CustomerRecommendations[] }> {
    const { customerIds, ...options } = validOrBadRequest(recommendationsBatchRequestSchema, body, 'request body');
    return { lists: await this.lists(customerIds, options) };
  }

  private async lists(
    customerIds: string[],
    options: { n: number; exclude?: 'purchased' },
  ): Promise<CustomerRecommendations[]> {
    const served: ServedRecommender | null = this.models.recommender;
    if (!served) throw new ConflictException('no published model version carries a recommender yet: train one');
    const [hashes, nowMs] = await Promise.all([
      this.store.itemsOf(customerIds),
      this.clock.now().then((now) => now ?? Date.now()),
    ]).catch((error: unknown) => {
      throw new ServiceUnavailableException(`Redis does not answer; retry shortly (${(error as Error).message})`);
    });
    const lists = recommendationsForMany(
      served,
      hashes.map((itemsHash) => ({
        itemsHash,
        query: { n: options.n, excludePurchased: options.exclude === 'purchased', nowMs },
      })),
    );
    return customerIds.map((customerId, i) => ({ customerId, modelVersion: served.version, items: lists[i] }));
  }
}
