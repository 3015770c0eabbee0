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
import { validate } from '@cvp/contracts';
import type { ModelVersion } from '@cvp/db';
import { ModelRegistry } from './model-registry';
import { trainRequestSchema } from './train-request';
import { TrainingService, type TrainingStarted } from './training.service';

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
  @HttpCode(HttpStatus.ACCEPTED)
  async train(@Body() body: unknown): Promise<TrainingStarted> {
    const parsed = validate(trainRequestSchema, body ?? {});
    if (!parsed.ok) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid training request',
        errors: parsed.errors,
      });
    }
    return this.training.start(parsed.value, 'http');
  }

  /** Model versions, newest first. */
  @Get('models')
  async models(@Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number): Promise<ModelVersion[]> {
    if (limit < 1 || limit > 500) throw new BadRequestException('limit must be between 1 and 500');
    return this.registry.list(limit);
  }

  @Get('models/:version')
  async model(@Param('version') version: string): Promise<ModelVersion> {
    const row = await this.registry.get(version);
    if (!row) throw new NotFoundException(`no model version ${version}`);
    return row;
  }
}
