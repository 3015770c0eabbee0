import { RequireRole, setResponseHeader, type HttpResponse } from '@cvp/auth';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  ConflictException,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { validOrBadRequest } from '@cvp/nest-common';
import { ScoreClock } from '@cvp/redis';
import {
  customerValueAt,
  customerValueQuerySchema,
  readState,
  ValueAtBeforeLastEvent,
  type CustomerValueAnswer,
} from '@cvp/scoring';
import { ModelHolder } from './model-holder';
import { ScoreStore, ScoreStoreUnavailable, type ReadScore, type TierSummary } from './score-store';
import { SweepLedger } from './sweep-ledger';

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

const redisDown = (error: unknown): never => {
  throw new ServiceUnavailableException({
    statusCode: 503,
    error: 'Service Unavailable',
    message: `Redis does not answer; retry shortly (${error instanceof Error ? error.message : String(error)})`,
  });
};

const JSON_TYPE = 'application/json; charset=utf-8';
const STALE_SUFFIX = ',"stale":true}';

const scoreRef = { $ref: '#/components/schemas/CustomerScore' };

/** Scores straight from Redis: one customer, many in one round trip, and the tier totals. */
@ApiTags('scores')
@RequireRole('reader')
@Controller('v1')
export class ScoresController {
  constructor(
    private readonly store: ScoreStore,
    private readonly ledger: SweepLedger,
    private readonly clock: ScoreClock,
    private readonly models: ModelHolder,
  ) {}

  @Get('customers/:id/score')
  @ApiOperation({ summary: 'The latest score of a customer' })
  @ApiOkResponse({
    description: 'The score; `stale: true` (and a Warning header) when Redis is unreachable and this is the last known',
    schema: scoreRef,
  })
  @ApiResponse({ status: 404, description: 'No score for this customer' })
  @ApiResponse({ status: 503, description: 'Redis does not answer and no earlier score of this customer is held' })
  async score(@Param('id') customerId: string, @Res({ passthrough: true }) response: HttpResponse): Promise<string> {
    const [score] = await this.store.getManyJson([customerId]).catch(unavailable);
    if (score === null) throw new NotFoundException(`no score for customer ${customerId}`);
    if (score.endsWith(STALE_SUFFIX))
      setResponseHeader(response, 'Warning', '110 - "stale: the score store is unreachable"');
    // The stored text as it is: no parse, no stringify.
    setResponseHeader(response, 'Content-Type', JSON_TYPE);
    return score;
  }

  @Get('customers/:id/value')
  @ApiOperation({
    summary: "A customer's value as of a date, over any horizon, with an optional annual discount rate (CLV)",
    description:
      "Computed now by the published model from the customer's feature state, aged to `at` as if they do nothing " +
      'until then: expected spend over [at, at + horizonDays), its discounted sum month by month (clv), P(buy) and ' +
      'P(alive).',
  })
  @ApiQuery({ name: 'at', required: false, description: 'ISO 8601 instant (default: now by the score clock)' })
  @ApiQuery({ name: 'horizonDays', required: false, description: "1..3650 (default: the model's horizon)" })
  @ApiQuery({ name: 'annualDiscountRate', required: false, description: '0..1 (default 0)' })
  @ApiOkResponse({ schema: { $ref: '#/components/schemas/CustomerValue' } })
  @ApiResponse({ status: 400, description: 'Bad query (field errors listed), or `at` before the newest event' })
  @ApiResponse({ status: 404, description: 'No feature state for this customer' })
  @ApiResponse({ status: 409, description: 'No model is published yet (the heuristic has no value curve)' })
  @ApiResponse({ status: 503, description: 'Redis does not answer' })
  async value(@Param('id') customerId: string, @Query() query: unknown): Promise<CustomerValueAnswer> {
    const valueQuery = validOrBadRequest(customerValueQuerySchema, query, 'value query');
    const loaded = this.models.current;
    if (!loaded) throw new ConflictException('no model is published yet: a value over a horizon needs one');
    const [raw] = await this.ledger.states([customerId]).catch(redisDown);
    const state = raw === null || raw === undefined ? null : readState(raw);
    if (!state) throw new NotFoundException(`no feature state for customer ${customerId}`);
    const nowMs = await this.clock.now().catch(redisDown);
    try {
      return customerValueAt(loaded, state, valueQuery, nowMs);
    } catch (error) {
      if (error instanceof ValueAtBeforeLastEvent) throw new BadRequestException(error.message);
      throw error;
    }
  }

  @Post('scores::batchGet')
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
  async batchGet(@Body() body: unknown, @Res({ passthrough: true }) response: HttpResponse): Promise<string> {
    const request = validOrBadRequest(batchGetRequestSchema, body, 'batchGet request');
    const ids = [...new Set(request.customerIds)];
    const scores = await this.store.getManyJson(ids).catch(unavailable);
    setResponseHeader(response, 'Content-Type', JSON_TYPE);
    // { scores, missing } assembled from the stored texts.
    const held = scores.filter((score): score is string => score !== null);
    const missing = ids.filter((_, i) => scores[i] === null);
    return `{"scores":[${held.join(',')}],"missing":${JSON.stringify(missing)}}`;
  }

  @Get('tiers/summary')
  @ApiOperation({ summary: 'Customers and expected spend per tier, over the latest scores' })
  @ApiOkResponse({ schema: { $ref: '#/components/schemas/TierSummary' } })
  @ApiResponse({ status: 503, description: 'Redis does not answer' })
  async tierSummary(): Promise<TierSummary> {
    return this.store.tierSummary().catch(unavailable);
  }
}
