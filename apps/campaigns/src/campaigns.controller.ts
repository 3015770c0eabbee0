import { RequireRole } from '@cvp/auth';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Response } from 'express';
import { once } from 'node:events';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PSEUDONYM_KEY, validOrBadRequest } from '@cvp/nest-common';
import {
  AudienceExport,
  MAX_AUDIENCE_ROWS,
  type AudienceFormat,
  type AudienceIds,
  type AudiencePreview,
} from './audience-export';
import type { z } from 'zod';
import { audiencePreviewSchema, createCampaignSchema, updateCampaignSchema } from './campaign-request';
import { CampaignsService, type CampaignReport, type CampaignView } from './campaigns.service';

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  return validOrBadRequest(schema, body ?? {}, what);
}

const campaignRef = { $ref: '#/components/schemas/Campaign' };

/** Campaign management; `:id` is the campaign's uuid or its key. */
@ApiTags('campaigns')
@RequireRole('reader')
@Controller('v1/campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly audience: AudienceExport,
    @Inject(PSEUDONYM_KEY) private readonly pseudonymKey: string,
  ) {}

  @Post()
  @RequireRole('marketer')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Create a campaign (status draft unless given)' })
  @ApiBody({ schema: { $ref: '#/components/schemas/CreateCampaign' } })
  @ApiResponse({ status: 201, schema: campaignRef })
  @ApiResponse({ status: 400, description: 'Invalid campaign: field errors listed' })
  @ApiResponse({ status: 409, description: 'The key is taken' })
  create(@Body() body: unknown): Promise<CampaignView> {
    return this.campaigns.create(parse(createCampaignSchema, body, 'campaign'));
  }

  /** What a rule would reach now: 400 with field errors for a bad rule (as on create), 503 while Redis does not answer. */
  @Post('audience-preview')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'How many customers an audience rule matches now (by tier), before creating a campaign' })
  @ApiBody({ schema: { $ref: '#/components/schemas/AudiencePreviewRequest' } })
  @ApiOkResponse({ description: '{ matching, scored, byTier }' })
  @ApiResponse({ status: 400, description: 'Invalid rule: field errors listed' })
  @ApiResponse({ status: 503, description: 'Redis does not answer' })
  async previewAudience(@Body() body: unknown): Promise<AudiencePreview> {
    const { audience } = parse(audiencePreviewSchema, body, 'audience preview');
    try {
      return await this.audience.count(audience);
    } catch {
      throw new ServiceUnavailableException('the score store (Redis) does not answer; retry shortly');
    }
  }

  @Get()
  @ApiOperation({ summary: 'Every campaign' })
  @ApiOkResponse({ schema: { type: 'array', items: campaignRef } })
  list(): Promise<CampaignView[]> {
    return this.campaigns.list();
  }

  @Get(':id')
  @ApiOkResponse({ schema: campaignRef })
  @ApiResponse({ status: 404, description: 'No such campaign' })
  get(@Param('id') id: string): Promise<CampaignView> {
    return this.campaigns.get(id);
  }

  @Patch(':id')
  @RequireRole('marketer')
  @ApiOperation({ summary: 'Change a campaign (status, audience, budget, ...); the budget never below what is spent' })
  @ApiBody({ schema: { $ref: '#/components/schemas/UpdateCampaign' } })
  @ApiOkResponse({ schema: campaignRef })
  @ApiResponse({ status: 400, description: 'Invalid change' })
  @ApiResponse({ status: 409, description: 'budgetTotal below the budget already spent' })
  update(@Param('id') id: string, @Body() body: unknown): Promise<CampaignView> {
    return this.campaigns.update(id, parse(updateCampaignSchema, body, 'campaign change'));
  }

  @Get(':id/report')
  @ApiOperation({
    summary:
      'Treated vs control over the attribution window: conversion, revenue per customer, incremental revenue (95% interval), cost, ROI, verdict',
  })
  @ApiOkResponse({ description: 'The uplift report' })
  report(@Param('id') id: string): Promise<CampaignReport> {
    return this.campaigns.report(id);
  }

  @Get(':id/audience')
  @ApiOperation({
    summary: "Stream the campaign's current audience (latest scores matching its rule) for ad platforms",
  })
  @ApiQuery({ name: 'format', enum: ['csv', 'jsonl'], required: false })
  @ApiQuery({
    name: 'ids',
    enum: ['pseudonym', 'raw'],
    required: false,
    description: 'customers by pseudonym (default) or, when the receiving system needs them, by raw id',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_AUDIENCE_ROWS, default: MAX_AUDIENCE_ROWS },
  })
  @ApiResponse({ status: 200, description: 'CSV with a header (customerId,tier,expectedSpend,...) or JSON lines' })
  @ApiResponse({ status: 400, description: 'Unknown format or ids, or limit out of range' })
  @ApiResponse({ status: 503, description: 'Redis does not answer' })
  async exportAudience(
    @Param('id') id: string,
    @Query('format') format: string | undefined,
    @Query('ids') ids: string | undefined,
    @Query('limit') limit: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const chosen = (format ?? 'csv') as AudienceFormat;
    if (chosen !== 'csv' && chosen !== 'jsonl') throw new BadRequestException('format must be csv or jsonl');
    const naming = (ids ?? 'pseudonym') as AudienceIds;
    if (naming !== 'pseudonym' && naming !== 'raw') throw new BadRequestException('ids must be pseudonym or raw');
    const rows = limit === undefined ? MAX_AUDIENCE_ROWS : Number(limit);
    if (!Number.isInteger(rows) || rows < 1 || rows > MAX_AUDIENCE_ROWS) {
      throw new BadRequestException(`limit must be a whole number from 1 to ${MAX_AUDIENCE_ROWS}`);
    }
    const campaign = await this.campaigns.find(id);
    const lines = this.audience.lines(campaign, {
      format: chosen,
      ids: naming,
      limit: rows,
      pseudonymKey: this.pseudonymKey,
    });
    // The first page decides the status: a Redis outage before anything is sent is a clear 503.
    let first: IteratorResult<string>;
    try {
      first = await lines.next();
    } catch {
      throw new ServiceUnavailableException('the score store (Redis) does not answer; retry shortly');
    }
    response.status(200);
    response.type(chosen === 'csv' ? 'text/csv' : 'application/x-ndjson');
    response.setHeader('content-disposition', `attachment; filename="${campaign.key}-audience.${chosen}"`);
    const write = async (text: string) => {
      if (!response.write(text)) await once(response, 'drain');
    };
    try {
      await write(this.audience.header(chosen));
      if (!first.done) await write(first.value);
      for await (const chunk of lines) await write(chunk);
      response.end();
    } catch (error) {
      // Headers are gone: cut the stream so the client sees an incomplete download, not a short "complete" one.
      response.destroy(error as Error);
    }
  }
}
