import {
  BadRequestException,
  Controller,
  Delete,
  Inject,
  Injectable,
  Optional,
  Param,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PinoLogger } from 'nestjs-pino';
import { pseudonym, RequireRole } from '@cvp/auth';
import { isUnicodeText } from '@cvp/contracts';
import { PrismaService, type Prisma } from '@cvp/db';
import { eraseCustomerFromRedis, REDIS, type RedisClient, type RedisErasure, RedisLayout } from '@cvp/redis';
import { TRAINER_CONFIG, type TrainerConfig } from './config';

export interface ErasureReport {
  /** The customer's pseudonym: what CVP keeps (the tombstone), never the id. */
  pseudonym: string;
  erasedAt: string;
  redis: RedisErasure;
  postgres: { trainingEvents: number; reviewReadings: number; customers: number; decisionsPseudonymised: number };
  /** Events of this customer are refused by ingest and skipped by every consumer from now on. */
  tombstoned: true;
}

/**
 * Erasure of a customer on request (GDPR Art. 17): the tombstone first (Redis for the stream's consumers, PostgreSQL
 * durably), so nothing in flight brings them back, then every store: feature state, score (out of the tier totals),
 * sweep index and dedup marks in Redis; the events kept for training, the language model's readings of their reviews
 * and the customer row in PostgreSQL. Decisions
 * stay, with the customer id replaced by the pseudonym: campaign budgets and the measured uplift remain whole, and
 * nothing in them leads back to the person. Erasing twice is harmless (the second report counts nothing).
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(TRAINER_CONFIG) private readonly config: TrainerConfig,
    private readonly logger: PinoLogger,
    @Optional() @Inject(REDIS) private readonly redis?: RedisClient,
    @Optional() private readonly layout?: RedisLayout,
  ) {
    logger.setContext(ErasureService.name);
  }

  async erase(customerId: string): Promise<ErasureReport> {
    if (!this.redis) throw new ServiceUnavailableException('erasure needs Redis, which this trainer has no client for');
    const alias = pseudonym(customerId, this.config.PSEUDONYM_KEY);
    const erasedAt = new Date();
    await this.prisma.erasedCustomer.upsert({
      where: { pseudonym: alias },
      create: { pseudonym: alias, erasedAt, report: { pending: true } },
      update: {},
    });
    let redis: RedisErasure;
    try {
      await this.layout?.ensure(); // a store of the layout before hash tags is moved first, so nothing is missed
      redis = await eraseCustomerFromRedis(this.redis, customerId, alias);
    } catch (error) {
      throw new ServiceUnavailableException(
        `Redis did not answer (${(error as Error).message}); nothing is lost: erase again once it does`,
      );
    }
    const [trainingEvents, reviewReadings, customers, decisions] = await this.prisma.$transaction([
      this.prisma.trainingEvent.deleteMany({ where: { customerId } }),
      this.prisma.reviewReading.deleteMany({ where: { customerId } }),
      this.prisma.customer.deleteMany({ where: { id: customerId } }),
      this.prisma.$executeRaw`
        UPDATE decisions SET customer_id = ${alias}, idempotency_key = 'erased:' || id::text WHERE customer_id = ${customerId}`,
    ]);
    const report: ErasureReport = {
      pseudonym: alias,
      erasedAt: erasedAt.toISOString(),
      redis,
      postgres: {
        trainingEvents: trainingEvents.count,
        reviewReadings: reviewReadings.count,
        customers: customers.count,
        decisionsPseudonymised: decisions,
      },
      tombstoned: true,
    };
    await this.prisma.erasedCustomer.update({
      where: { pseudonym: alias },
      data: { report: report as unknown as Prisma.InputJsonValue },
    });
    // The pseudonym only: the log must not keep what was just erased.
    this.logger.info({ pseudonym: alias, redis, postgres: report.postgres }, 'customer erased');
    return report;
  }
}

@ApiTags('privacy')
@RequireRole('admin')
@Controller('v1/customers')
export class ErasureController {
  constructor(private readonly erasure: ErasureService) {}

  @Delete(':id')
  @ApiOperation({
    summary:
      'Erase a customer: feature state, score, dedup marks (Redis), stored events, review readings and customer row (PostgreSQL); decisions keep only a pseudonym; later events of the customer are refused',
  })
  @ApiOkResponse({ description: 'The erasure report: what was removed where' })
  @ApiResponse({ status: 400, description: 'Not a customer id' })
  @ApiResponse({ status: 503, description: 'Redis does not answer: erase again later' })
  erase(@Param('id') customerId: string): Promise<ErasureReport> {
    if (customerId.length === 0 || customerId.length > 128 || !isUnicodeText(customerId)) {
      throw new BadRequestException('the customer id must be 1 to 128 characters of Unicode text');
    }
    return this.erasure.erase(customerId);
  }
}
