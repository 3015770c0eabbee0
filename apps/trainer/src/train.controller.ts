import { RequireRole } from '@cvp/auth';
import {
  BadRequestException,
  Body,
  Controller,
  DefaultValuePipe,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { validOrBadRequest } from '@cvp/nest-common';
import type { ModelVersion } from '@cvp/db';
import { ModelRegistry } from './model-registry';
import { trainRequestSchema } from './train-request';
import { TrainingService, type TrainingStarted } from './training.service';

const modelRef = { $ref: '#/components/schemas/ModelVersion' };

@ApiTags('training')
@RequireRole('reader')
@Controller('v1')
export class TrainController {
  constructor(
    private readonly training: TrainingService,
    private readonly registry: ModelRegistry,
  ) {}

  /**
   * Starts a training run: 202 with the version being trained (follow it at GET /v1/models/:version), 400 on a bad
   * body, 409 while another run is in progress, 422 when there is nothing to train on.
   */
  @Post('train')
  @RequireRole('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Start a training run (window, horizon, seed; force publishes even when not better)' })
  @ApiBody({ schema: { $ref: '#/components/schemas/TrainRequest' }, required: false })
  @ApiAcceptedResponse({ description: 'The version being trained; follow it at GET /v1/models/{version}' })
  @ApiResponse({ status: 400, description: 'Invalid request: field errors listed' })
  @ApiResponse({ status: 409, description: 'Another run is in progress' })
  @ApiResponse({ status: 422, description: 'Nothing to train on in the window' })
  async train(@Body() body: unknown): Promise<TrainingStarted> {
    return this.training.start(validOrBadRequest(trainRequestSchema, body ?? {}, 'training request'), 'http');
  }

  /** Model versions, newest first. */
  @Get('models')
  @ApiOperation({ summary: 'Model versions, newest first' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } })
  @ApiOkResponse({ schema: { type: 'array', items: modelRef } })
  @ApiResponse({ status: 400, description: 'limit out of range' })
  async models(@Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number): Promise<ModelVersion[]> {
    if (limit < 1 || limit > 500) throw new BadRequestException('limit must be between 1 and 500');
    return this.registry.list(limit);
  }

  @Get('models/:version')
  @ApiOperation({ summary: 'One model version: status, validation figures, selection, artifact' })
  @ApiOkResponse({ schema: modelRef })
  @ApiResponse({ status: 404, description: 'No such version' })
  async model(@Param('version') version: string): Promise<ModelVersion> {
    const row = await this.registry.get(version);
    if (!row) throw new NotFoundException(`no model version ${version}`);
    return row;
  }
}
