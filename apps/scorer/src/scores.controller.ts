import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import type { CustomerScore } from '@cvp/contracts';
import { ScoreStore } from './score-store';

@Controller('v1/customers')
export class ScoresController {
  constructor(private readonly store: ScoreStore) {}

  /** The latest score of a customer, straight from Redis. */
  @Get(':id/score')
  async score(@Param('id') customerId: string): Promise<CustomerScore> {
    const score = await this.store.get(customerId);
    if (!score) throw new NotFoundException(`no score for customer ${customerId}`);
    return score;
  }
}
