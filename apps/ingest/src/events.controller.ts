import { BadRequestException, Body, Controller, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { TOPICS } from '@cvp/contracts';
import { KafkaProducerService } from '@cvp/kafka';
import { INGEST_CONFIG, type IngestConfig } from './config';
import { parseEventBatch } from './event-batch';

export interface IngestAccepted {
  accepted: number;
  eventIds: string[];
}

@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly producer: KafkaProducerService,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
  ) {}

  /** 202 once Kafka acknowledged every event (acks=all); 400 with field errors and nothing produced otherwise. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async ingest(@Body() body: unknown): Promise<IngestAccepted> {
    const parsed = parseEventBatch(body, {
      maxBatch: this.config.INGEST_MAX_BATCH,
      latestEventMs: Date.now() + this.config.SCORE_CLOCK_MAX_FUTURE_SKEW_SECONDS * 1000,
    });
    if (!parsed.ok) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid events',
        errors: parsed.errors,
      });
    }
    await this.producer.send(
      TOPICS.events,
      parsed.events.map((value) => ({ value })),
    );
    return { accepted: parsed.events.length, eventIds: parsed.events.map((event) => event.eventId) };
  }
}
