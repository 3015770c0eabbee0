import { RequireRole } from '@cvp/auth';
import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TOPICS } from '@cvp/contracts';
import { KafkaProducerService, ProduceDeadlineExceeded } from '@cvp/kafka';
import { ErasedCustomers, fieldErrorsException } from '@cvp/nest-common';
import { cvpMeter } from '@cvp/telemetry';
import { INGEST_CONFIG, type IngestConfig } from './config';
import { parseEventBatch } from './event-batch';

const RETRY_AFTER_SECONDS = 5;

export interface IngestAccepted {
  accepted: number;
  eventIds: string[];
}

@ApiTags('events')
@RequireRole('producer')
@Controller('v1/events')
export class EventsController {
  private readonly accepted = cvpMeter().createCounter('cvp.ingest.events', {
    description: 'Clickstream events accepted (acknowledged by Kafka), by type',
  });

  constructor(
    private readonly producer: KafkaProducerService,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    private readonly erased: ErasedCustomers,
  ) {}

  /** 202 once Kafka acknowledged every event (acks=all); 400 with field errors and nothing produced otherwise. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Publish one clickstream event, or a batch as `{ "events": [...] }`, to cvp.events.v1' })
  @ApiBody({ schema: { $ref: '#/components/schemas/EventRequest' } })
  @ApiAcceptedResponse({
    description: 'Every event acknowledged by Kafka',
    schema: {
      type: 'object',
      properties: { accepted: { type: 'integer' }, eventIds: { type: 'array', items: { type: 'string' } } },
    },
  })
  @ApiResponse({ status: 400, description: 'Invalid events: field errors listed, nothing produced' })
  @ApiResponse({ status: 413, description: 'Body over INGEST_MAX_BODY_BYTES' })
  @ApiResponse({ status: 503, description: 'Kafka did not acknowledge in time: nothing accepted (Retry-After)' })
  async ingest(
    @Body() body: unknown,
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): unknown },
  ): Promise<IngestAccepted> {
    const parsed = parseEventBatch(body, {
      maxBatch: this.config.INGEST_MAX_BATCH,
      latestEventMs: Date.now() + this.config.SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS * 1000,
    });
    if (!parsed.ok) throw fieldErrorsException('invalid events', parsed.errors);
    // Events of erased customers are refused (the consumers skip any that get past: a lookup that fails here lets the
    // request through rather than turning an outage of Redis and PostgreSQL into one of ingest).
    const erased = await this.erased.among(parsed.events.map((event) => event.customerId)).catch(() => new Set());
    if (erased.size > 0) {
      const single = parsed.events.length === 1 && !(typeof body === 'object' && body !== null && 'events' in body);
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid events',
        errors: parsed.events.flatMap((event, index) =>
          erased.has(event.customerId)
            ? [
                {
                  path: single ? 'customerId' : `events.${index}.customerId`,
                  message: 'this customer was erased: their events are not accepted',
                },
              ]
            : [],
        ),
      });
    }
    try {
      // parseEventBatch returned what the topic's schema parsed: the producer need not parse it again.
      await this.producer.send(
        TOPICS.events,
        parsed.events.map((value) => ({ value })),
        { validated: true },
      );
    } catch (error) {
      if (!(error instanceof ProduceDeadlineExceeded)) throw error;
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      // Nothing is acknowledged that Kafka did not make durable: the producer retries the whole batch.
      throw new ServiceUnavailableException({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Kafka did not acknowledge the events in time: nothing was accepted, send them again',
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    }
    const types = new Map<string, number>();
    for (const event of parsed.events) types.set(event.type, (types.get(event.type) ?? 0) + 1);
    for (const [type, count] of types) this.accepted.add(count, { type });
    return { accepted: parsed.events.length, eventIds: parsed.events.map((event) => event.eventId) };
  }
}
