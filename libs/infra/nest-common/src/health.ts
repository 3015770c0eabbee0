import { Controller, Get, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Kafka } from 'kafkajs';
import type Redis from 'ioredis';
import { checkKafka, KAFKA_CLIENT, withTimeout } from '@cvp/kafka';
import { checkRedis, REDIS } from '@cvp/redis';
import { checkDatabase, PrismaService } from '@cvp/db';

export type Dependency = 'kafka' | 'redis' | 'postgres';
export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface HealthOptions {
  /** The dependencies this service really uses; each is checked for readiness. */
  dependencies: Dependency[];
  /** Checked, beside `dependencies`, before a consumer counts a failed attempt (see CoreModuleOptions). */
  consumerDependencies?: Dependency[];
  timeoutMs: number;
}

export interface CheckResult {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ok' | 'error';
  checks: Partial<Record<Dependency, CheckResult>>;
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Whether the service's readiness depends on `dependency`. */
  uses(dependency: Dependency): boolean {
    return this.options.dependencies.includes(dependency);
  }

  /** Checks every dependency in parallel, each bounded by the timeout. */
  async readiness(dependencies: readonly Dependency[] = this.options.dependencies): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...new Set(dependencies)].map(async (dependency) => [dependency, await this.run(dependency)] as const),
    );
    const checks = Object.fromEntries(entries) as ReadinessReport['checks'];
    const status = entries.every(([, result]) => result.status === 'up') ? 'ok' : 'error';
    return { status, checks };
  }

  private readonly liveness = new Map<string, () => string | null>();

  /** A part of the process that can stop on its own (the Kafka consumer): liveness fails while it reports a reason. */
  registerLiveness(name: string, failure: () => string | null): void {
    this.liveness.set(name, failure);
  }

  livenessFailures(): { name: string; reason: string }[] {
    const failures: { name: string; reason: string }[] = [];
    for (const [name, failure] of this.liveness) {
      const reason = failure();
      if (reason) failures.push({ name, reason });
    }
    return failures;
  }

  /** Whether everything the Kafka consumer needs answers: the service's dependencies and its consumer's own. */
  async consumerReady(): Promise<boolean> {
    const report = await this.readiness([...this.options.dependencies, ...(this.options.consumerDependencies ?? [])]);
    return report.status === 'ok';
  }

  private async run(dependency: Dependency): Promise<CheckResult> {
    const started = performance.now();
    try {
      await withTimeout(this.check(dependency), this.options.timeoutMs, dependency);
      return { status: 'up', latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
    }
  }

  private check(dependency: Dependency): Promise<void> {
    const timeoutMs = this.options.timeoutMs;
    switch (dependency) {
      case 'kafka':
        return checkKafka(this.moduleRef.get<Kafka>(KAFKA_CLIENT, { strict: false }), timeoutMs);
      case 'redis':
        return checkRedis(this.moduleRef.get<Redis>(REDIS, { strict: false }));
      case 'postgres':
        return checkDatabase(this.moduleRef.get(PrismaService, { strict: false }), timeoutMs).then(() => undefined);
    }
  }
}

@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /**
   * The process is up, serving HTTP and its Kafka consumer (if any) still consuming; no I/O, so a slow dependency
   * never restarts the pod, but a consumer that stopped on its own does (503 with the reason).
   */
  @Get('live')
  live(): { status: 'ok' } {
    const failures = this.health.livenessFailures();
    if (failures.length > 0) {
      throw new HttpException({ status: 'error', failures }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return { status: 'ok' };
  }

  /** Real checks of the dependencies; 503 while one of them is down. */
  @Get('ready')
  async ready(): Promise<ReadinessReport> {
    const report = await this.health.readiness();
    if (report.status !== 'ok') throw new HttpException(report, HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
