import { RequireRole, type RequestKey } from '@cvp/auth';
import { BadRequestException, Controller, Get, Headers, Param, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PrismaService } from '@cvp/db';
import { Pulse, type PipelinePulse } from './pulse';
import { UPSTREAMS, Upstreams, type Upstream } from './upstreams';

/** How many of a customer's latest events and decisions the customer page shows. */
export const ACTIVITY_ROWS = 25;

export interface ServiceReadiness {
  name: Upstream;
  /** `ready`: /health/ready answered 200; `not ready`: it answered otherwise; `unreachable`: it did not answer. */
  state: 'ready' | 'not ready' | 'unreachable';
  /** The service's own readiness report (its dependencies' checks), when it answered one. */
  checks: Record<string, { status: string; latencyMs?: number; error?: string }> | null;
  latencyMs: number;
}

export interface Overview {
  services: ServiceReadiness[];
  pipeline: PipelinePulse;
  /** The scorer's `GET /v1/sweeps` (null when it did not answer). */
  sweeps: { active: unknown; last: unknown } | null;
  /** The newest training run and the version served (from the trainer's `GET /v1/models`; null when unknown). */
  lastTraining: unknown;
  published: unknown;
}

export interface CustomerActivity {
  customerId: string;
  events: { eventId: string; type: string; occurredAt: string; payload: unknown }[];
  decisions: {
    id: string;
    campaign: string;
    group: string;
    action: string;
    channel: string;
    policy: string;
    cost: number;
    upliftEstimate: number | null;
    eventTime: string;
    decidedAt: string;
  }[];
}

/**
 * The console's own reads: who the key is, the pipeline at a glance, and a customer's recent events and decisions.
 * Everything else the console shows comes from the services' APIs (`/api/<service>/v1/...`).
 */
@ApiTags('console')
@RequireRole('reader')
@Controller('v1/console')
export class ConsoleController {
  constructor(
    private readonly upstreams: Upstreams,
    private readonly pulse: Pulse,
    private readonly prisma: PrismaService,
  ) {}

  @Get('me')
  @ApiOperation({ summary: "The calling key's role and prefix (what the console lets it do)" })
  me(@Req() request: { apiKey?: RequestKey }): { role: string; prefix: string } {
    const key = request.apiKey as RequestKey;
    return { role: key.role, prefix: key.prefix };
  }

  @Get('overview')
  @ApiOperation({
    summary: "Each service's readiness, consumer lag per group, events/s, the last re-scoring sweep and training run",
  })
  @ApiOkResponse({ description: '{ services, pipeline, sweeps, lastTraining, published }' })
  async overview(@Headers('authorization') authorization: string): Promise<Overview> {
    const [services, sweeps, models] = await Promise.all([
      Promise.all(UPSTREAMS.map((name) => this.readiness(name))),
      this.upstreams.json<Overview['sweeps']>('scorer', '/v1/sweeps', authorization).catch(() => null),
      this.upstreams.json<{ status: string }[]>('trainer', '/v1/models?limit=50', authorization).catch(() => null),
    ]);
    return {
      services,
      pipeline: this.pulse.current(),
      sweeps,
      lastTraining: models?.[0] ?? null,
      published: models?.find((model) => model.status === 'published') ?? null,
    };
  }

  @Get('customers/:id/activity')
  @ApiOperation({ summary: "A customer's latest events (as stored for training) and campaign decisions, newest first" })
  async activity(@Param('id') customerId: string): Promise<CustomerActivity> {
    if (customerId.length === 0 || customerId.length > 128) {
      throw new BadRequestException('a customer id has 1 to 128 characters');
    }
    const [events, decisions] = await Promise.all([
      this.prisma.trainingEvent.findMany({
        where: { customerId },
        orderBy: { occurredAt: 'desc' },
        take: ACTIVITY_ROWS,
      }),
      this.prisma.decision.findMany({
        where: { customerId },
        orderBy: { eventTime: 'desc' },
        take: ACTIVITY_ROWS,
        include: { campaign: { select: { key: true } } },
      }),
    ]);
    return {
      customerId,
      events: events.map((event) => ({
        eventId: event.eventId,
        type: event.type,
        occurredAt: event.occurredAt.toISOString(),
        payload: event.payload,
      })),
      decisions: decisions.map((decision) => ({
        id: decision.id,
        campaign: decision.campaign.key,
        group: decision.group,
        action: decision.action,
        channel: decision.channel,
        policy: decision.policy,
        cost: Number(decision.cost),
        upliftEstimate: decision.upliftEstimate,
        eventTime: decision.eventTime.toISOString(),
        decidedAt: decision.decidedAt.toISOString(),
      })),
    };
  }

  private async readiness(name: Upstream): Promise<ServiceReadiness> {
    const started = performance.now();
    try {
      const answer = await this.upstreams.call(name, '/health/ready', { timeoutMs: 3_000 });
      const report = JSON.parse(answer.body.toString('utf8') || '{}') as { checks?: ServiceReadiness['checks'] };
      return {
        name,
        state: answer.status === 200 ? 'ready' : 'not ready',
        checks: report.checks ?? null,
        latencyMs: Math.round(performance.now() - started),
      };
    } catch {
      return { name, state: 'unreachable', checks: null, latencyMs: Math.round(performance.now() - started) };
    }
  }
}
