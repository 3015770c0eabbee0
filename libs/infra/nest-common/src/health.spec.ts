import { HttpException } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { HealthController, HealthService } from './health';

describe('liveness', () => {
  it('is ok until a registered part reports why it stopped, then answers 503 with the reason', () => {
    const health = new HealthService({ dependencies: [], timeoutMs: 100 }, {} as ModuleRef);
    const controller = new HealthController(health);
    let failure: string | null = null;
    health.registerLiveness('kafka-consumer', () => failure);
    expect(controller.live()).toEqual({ status: 'ok' });
    failure = 'consumer crashed: not authorized';
    try {
      controller.live();
      throw new Error('expected a 503');
    } catch (error) {
      expect(error).toBeInstanceOf(HttpException);
      expect((error as HttpException).getStatus()).toBe(503);
      expect((error as HttpException).getResponse()).toEqual({
        status: 'error',
        failures: [{ name: 'kafka-consumer', reason: 'consumer crashed: not authorized' }],
      });
    }
  });
});
