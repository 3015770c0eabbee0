import { RequireRole } from '@cvp/auth';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { validate } from '@cvp/contracts';
import { ScoreStore, ScoreStoreUnavailable, type ReadScore, type TierSummary } from './score-store';

export const MAX_BATCH_GET = 1000;

export const batchGetRequestSchema = z
  .object({
    customerIds: z
      .array(z.string().min(1, 'a customer id must not be empty').max(128))
      .min(1, 'give at least one customer id')
      .max(MAX_BATCH_GET, `at most ${MAX_BATCH_GET} customer ids per request`),
  })
  .strict();

export interface BatchGetResponse {
  scores: ReadScore[];
  /** Asked ids without a score. */
  missing: string[];
}

const unavailable = (error: unknown): never => {
  if (error instanceof ScoreStoreUnavailable) {
    throw new ServiceUnavailableException({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the score store (Redis) does not answer; retry shortly',
    });
  }
  throw error;
};

const scoreRef = { $ref: '#/components/schemas/CustomerScore' };

/** Scores straight from Redis: one customer, many in one round trip, and the tier totals. */
@ApiTags('scores')
@RequireRole('reader')
@Controller('v1')
export class ScoresController {
  constructor(private readonly store: ScoreStore) {}

  @Get('customers/:id/score')
  @ApiOperation({ summary: 'The latest score of a customer' })
  @ApiOkResponse({
    description: 'The score; `stale: true` (and a Warning header) when Redis is unreachable and this is the last known',
    schema: scoreRef,
  })
  @ApiResponse({ status: 404, description: 'No score for this customer' })
  @ApiResponse({ status: 503, description: 'Redis does not answer and no earlier score of this customer is held' })
  async score(@Param('id') customerId: string, @Res({ passthrough: true }) response: Response): Promise<ReadScore> {
    const score = await this.store.get(customerId).catch(unavailable);
    if (!score) throw new NotFoundException(`no score for customer ${customerId}`);
    if (score.stale) response.setHeader('Warning', '110 - "stale: the score store is unreachable"');
    return score;
  }

  @Post('scores\\:batchGet')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: `Scores of up to ${MAX_BATCH_GET} customers in one Redis round trip` })
  @ApiBody({ schema: { $ref: '#/components/schemas/BatchGetRequest' } })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { scores: { type: 'array', items: scoreRef }, missing: { type: 'array', items: { type: 'string' } } },
    },
  })
  @ApiResponse({ status: 400, description: 'Bad body: field errors listed' })
  @ApiResponse({ status: 503, description: 'Redis does not answer and not every asked score is held' })
  async batchGet(@Body() body: unknown): Promise<BatchGetResponse> {
    const parsed = validate(batchGetRequestSchema, body);
    if (!parsed.ok) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid batchGet request',
        errors: parsed.errors,
      });
    }
    const ids = [...new Set(parsed.value.customerIds)];
    const scores = await this.store.getMany(ids).catch(unavailable);
    return {
      scores: scores.filter((score): score is ReadScore => score !== null),
      missing: ids.filter((_, i) => scores[i] === null),
    };
  }

  @Get('tiers/summary')
  @ApiOperation({ summary: 'Customers and expected spend per tier, over the latest scores' })
  @ApiOkResponse({ schema: { $ref: '#/components/schemas/TierSummary' } })
  @ApiResponse({ status: 503, description: 'Redis does not answer' })
  async tierSummary(): Promise<TierSummary> {
    return this.store.tierSummary().catch(unavailable);
  }
}
