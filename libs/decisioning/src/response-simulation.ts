import type { ClickstreamEvent } from '@cvp/contracts';
import { seededRandom } from '@cvp/datasets';

/** A decision as the simulation needs it: who, when, which group, and the score it was taken on. */
export interface SimulatedDecision {
  customerId: string;
  group: 'treated' | 'control';
  eventTime: Date;
  score: { expectedSpend: number; pBuyAgain: number; horizonDays: number };
}

export interface ResponseModel {
  /** Relative lift of the purchase probability in the treated group (0.3: +30%). */
  lift: number;
  /**
   * Who responds: `alike` (everyone by `lift`), or `persuadables`: the lift is 2.5 × `lift` for customers with
   * pBuyAgain near 0.5, falling to nothing for sure things (near 1) and lost causes (near 0):
   * 2.5 · lift · exp(−((pBuyAgain − 0.5) / 0.15)²).
   */
  responders?: 'alike' | 'persuadables';
  windowDays: number;
  seed: number;
  /** Prefix of the simulated events' ids (re-running with the same prefix sends the same events). */
  idPrefix: string;
  currency?: string;
}

/**
 * A seeded response model for offline campaign simulations: each customer of a campaign buys within the window
 * with the probability their score implies for that window, p_w = 1 − (1 − pBuyAgain)^(window / horizon), raised
 * by `lift` when treated (capped at 1); the order is worth the score's spend per buyer (expectedSpend / pBuyAgain)
 * scaled to the window, with lognormal noise (sigma 0.5), at a uniform time inside the window. The first decision
 * of each customer counts. Returns purchase events ready for ingest; the same inputs give the same events.
 */
export function simulateResponses(decisions: readonly SimulatedDecision[], model: ResponseModel): ClickstreamEvent[] {
  const random = seededRandom(model.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const first = new Map<string, SimulatedDecision>();
  for (const decision of [...decisions].sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime())) {
    if (!first.has(decision.customerId)) first.set(decision.customerId, decision);
  }
  const events: ClickstreamEvent[] = [];
  for (const [customerId, decision] of [...first].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { expectedSpend, pBuyAgain, horizonDays } = decision.score;
    const share = Math.min(1, model.windowDays / Math.max(1, horizonDays));
    const base = 1 - Math.pow(1 - Math.min(Math.max(pBuyAgain, 0), 0.999), share);
    const lift = responderLift(model, pBuyAgain);
    const p = Math.min(1, decision.group === 'treated' ? base * (1 + lift) : base);
    const draw = random();
    const noise = Math.exp(0.5 * normal() - 0.125);
    const at = decision.eventTime.getTime() + (0.001 + random() * 0.998) * model.windowDays * 86_400_000;
    if (draw >= p) continue;
    const perBuyer = expectedSpend / Math.max(pBuyAgain, 0.05);
    const total = Math.max(1, Math.round(perBuyer * share * noise * 100) / 100);
    const id = `${model.idPrefix}-${customerId}`;
    events.push({
      eventId: id,
      customerId,
      occurredAt: new Date(at).toISOString(),
      type: 'purchase',
      orderId: id,
      items: [{ productId: 'simulated-response', quantity: 1, unitPrice: total }],
      total,
      currency: model.currency ?? 'USD',
    });
  }
  return events;
}

/** The relative lift a treated customer with this pBuyAgain gets under the model. */
export function responderLift(model: Pick<ResponseModel, 'lift' | 'responders'>, pBuyAgain: number): number {
  if ((model.responders ?? 'alike') === 'alike') return model.lift;
  return 2.5 * model.lift * Math.exp(-(((pBuyAgain - 0.5) / 0.15) ** 2));
}
