import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { CustomerScore } from '@cvp/contracts';
import { featureVectorAt, readCustomerState, type FeatureVector } from '@cvp/features';
import { featureStateKey, getMany, REDIS, type RedisClient } from '@cvp/redis';

/**
 * The customers' current features (their feature state in Redis, as the features service keeps it, as of the score's
 * instant so that `recencyDays` agrees with the score's churn risk), so audience rules can use features
 * (`monetaryTotal`, `orders365d`, ...) beside the score's fields. One round trip per batch.
 * While Redis does not answer and an active campaign's rule reads a feature, the batch fails (retried, uncounted while
 * Redis is down: see the campaigns module's consumer dependencies) rather than deciding on missing facts; rules on
 * score fields alone go on deciding.
 */
@Injectable()
export class FeatureFacts {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(FeatureFacts.name);
  }

  /** Each customer's features as of their score's instant (the score clock), keyed by customer id. */
  async forScores(
    scores: readonly Pick<CustomerScore, 'customerId' | 'asOf'>[],
    required: boolean,
  ): Promise<Map<string, FeatureVector>> {
    const asOf = new Map(scores.map((score) => [score.customerId, Date.parse(score.asOf)]));
    const ids = [...asOf.keys()];
    const vectors = new Map<string, FeatureVector>();
    if (ids.length === 0) return vectors;
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      const states = await getMany(this.redis, ids.map(featureStateKey));
      states.forEach((raw, i) => {
        if (raw) vectors.set(ids[i], featureVectorAt(readCustomerState(raw), asOf.get(ids[i])!));
      });
    } catch (error) {
      if (required) throw new Error(`features unavailable (Redis): ${(error as Error).message}`);
      this.logger.warn({ error: (error as Error).message }, 'features unavailable; no active rule reads them');
    }
    return vectors;
  }
}
