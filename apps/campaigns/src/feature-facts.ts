import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { featureVector, type CustomerState, type FeatureVector } from '@cvp/features';
import { featureStateKey, REDIS } from '@cvp/redis';

/**
 * The customers' current features (their feature state in Redis, as the features service keeps it), so audience
 * rules can use features (`monetaryTotal`, `orders365d`, ...) beside the score's fields. One round trip per batch.
 * While Redis does not answer, no features are known: a condition on a feature is then false (a missing fact), the
 * decision path itself keeps running.
 */
@Injectable()
export class FeatureFacts {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(FeatureFacts.name);
  }

  async forCustomers(customerIds: readonly string[]): Promise<Map<string, FeatureVector>> {
    const ids = [...new Set(customerIds)];
    const vectors = new Map<string, FeatureVector>();
    if (ids.length === 0) return vectors;
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      const states = await this.redis.mget(ids.map(featureStateKey));
      states.forEach((raw, i) => {
        if (raw) vectors.set(ids[i], featureVector(JSON.parse(raw) as CustomerState));
      });
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'features unavailable: rules on features do not match');
    }
    return vectors;
  }
}
