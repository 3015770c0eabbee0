import { RequireRole } from '@cvp/auth';
import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Post,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SweepProgress, SweepRecord, SweepSummary } from '@cvp/scoring';
import { ClockNotStarted, SweepService } from './sweep.service';

/** Re-scoring sweeps: start one on demand, follow its progress. */
@ApiTags('sweeps')
@RequireRole('reader')
@Controller('v1')
export class SweepsController {
  constructor(private readonly sweeps: SweepService) {}

  @Post('rescore')
  @RequireRole('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Re-score every customer as of now by the score clock (joins the sweep already running, if any)',
  })
  @ApiResponse({ status: 202, description: '`{ sweep, started }`: the sweep, and whether this request started it' })
  @ApiResponse({ status: 400, description: 'A request body was given (none is taken)' })
  @ApiResponse({ status: 409, description: 'event-time clock: no event seen yet, nothing to be as of' })
  async rescore(@Body() body: unknown): Promise<{ sweep: SweepRecord; started: boolean }> {
    if (body !== undefined && body !== null && !(typeof body === 'object' && Object.keys(body).length === 0)) {
      throw new BadRequestException('POST /v1/rescore takes no body (or {})');
    }
    const outcome = await this.sweeps.request('on-demand').catch((error: unknown) => {
      if (error instanceof ClockNotStarted) throw new ConflictException(error.message);
      throw error;
    });
    // Only a model swap is ever skipped; an on-demand request starts a sweep or joins the running one.
    if (!outcome) throw new Error('an on-demand sweep was neither started nor joined');
    return outcome;
  }

  @Get('sweeps')
  @ApiOperation({ summary: 'The sweep in progress (with its figures so far) and the last finished one' })
  @ApiOkResponse({
    description:
      '`{ active, last }`: id, trigger, asOf, modelVersion, startedAt, customersTotal, shards/shardsDone, customers, ' +
      'written, forgotten, elapsedMs, customersPerSecond (and finishedAt for the last)',
  })
  async status(): Promise<{ active: SweepProgress | null; last: SweepSummary | null }> {
    return this.sweeps.status();
  }
}
