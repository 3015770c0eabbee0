import { createHash } from 'node:crypto';
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
  /**
   * Until when the customers' own events are in the event store: up to this instant the stream is the world without
   * the campaign (its purchases are the baseline of both groups), so inside a decision's window no baseline purchase is
   * simulated there and a treated customer gets only the extra purchase the lift adds. The part of a window after it
   * gets a baseline purchase drawn from the score, for both groups. Without it the whole baseline is drawn.
   */
  observedUntil?: Date;
}

/**
 * A seeded response model for offline campaign simulations. Without `observedUntil`: each customer of a campaign buys
 * within the window with the probability their score implies for that window, p_w = 1 − (1 − pBuyAgain)^(window /
 * horizon), raised by `lift` when treated (capped at 1). With it: the stream's own purchases are the baseline up to
 * that instant, the rest of the window gets a baseline purchase with the probability the score implies for that part,
 * and a treated customer an extra purchase with probability min(1 − p_w, p_w · lift), the same increment in
 * expectation. An order is worth the score's spend per buyer (expectedSpend / pBuyAgain) scaled to the (part of the)
 * window, with lognormal noise (sigma 0.5), at a uniform time inside it. The first decision of each customer counts.
 * Each customer's draws come from a stream of their own (`customerRandom`): what one customer does depends on their
 * decision alone, not on who else was decided, so two runs whose decisions differ in a few customers (or two
 * policies compared on one population) differ only there. Returns purchase events ready for ingest; the same inputs
 * give the same events.
 */
export function simulateResponses(decisions: readonly SimulatedDecision[], model: ResponseModel): ClickstreamEvent[] {
  const first = new Map<string, SimulatedDecision>();
  for (const decision of [...decisions].sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime())) {
    if (!first.has(decision.customerId)) first.set(decision.customerId, decision);
  }
  const windowMs = model.windowDays * 86_400_000;
  const purchase = (id: string, customerId: string, atMs: number, total: number): ClickstreamEvent => ({
    eventId: id,
    customerId,
    occurredAt: new Date(atMs).toISOString(),
    type: 'purchase',
    orderId: id,
    items: [{ productId: 'simulated-response', quantity: 1, unitPrice: total }],
    total,
    currency: model.currency ?? 'USD',
  });
  const events: ClickstreamEvent[] = [];
  for (const [customerId, decision] of [...first].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const random = customerRandom(model.seed, customerId);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const { expectedSpend, pBuyAgain, horizonDays } = decision.score;
    const horizonMs = Math.max(1, horizonDays) * 86_400_000;
    const share = Math.min(1, windowMs / horizonMs);
    const stay = 1 - Math.min(Math.max(pBuyAgain, 0), 0.999);
    const base = 1 - Math.pow(stay, share);
    const lift = responderLift(model, pBuyAgain);
    const perBuyer = expectedSpend / Math.max(pBuyAgain, 0.05);
    const start = decision.eventTime.getTime();
    const id = `${model.idPrefix}-${customerId}`;
    const amount = (part: number, noise: number) => Math.max(1, Math.round(perBuyer * part * noise * 100) / 100);
    if (model.observedUntil === undefined) {
      const p = Math.min(1, decision.group === 'treated' ? base * (1 + lift) : base);
      const draw = random();
      const noise = Math.exp(0.5 * normal() - 0.125);
      const at = start + (0.001 + random() * 0.998) * windowMs;
      if (draw < p) events.push(purchase(id, customerId, at, amount(share, noise)));
      continue;
    }
    // The window's part the stream does not cover yet: a baseline purchase drawn from the score, both groups.
    const observedEnd = Math.min(Math.max(model.observedUntil.getTime(), start), start + windowMs);
    const unobservedMs = start + windowMs - observedEnd;
    const unobservedShare = Math.min(1, unobservedMs / horizonMs);
    const baseDraw = random();
    const baseNoise = Math.exp(0.5 * normal() - 0.125);
    const baseAt = observedEnd + (0.001 + random() * 0.998) * unobservedMs;
    if (unobservedMs > 0 && baseDraw < 1 - Math.pow(stay, unobservedShare)) {
      events.push(purchase(`${id}-baseline`, customerId, baseAt, amount(unobservedShare, baseNoise)));
    }
    // What the campaign adds: an extra purchase of a treated customer anywhere in the window.
    const extraDraw = random();
    const extraNoise = Math.exp(0.5 * normal() - 0.125);
    const extraAt = start + (0.001 + random() * 0.998) * windowMs;
    if (decision.group === 'treated' && extraDraw < Math.min(1 - base, base * lift)) {
      events.push(purchase(id, customerId, extraAt, amount(share, extraNoise)));
    }
  }
  return events;
}

/** The relative lift a treated customer with this pBuyAgain gets under the model. */
export function responderLift(model: Pick<ResponseModel, 'lift' | 'responders'>, pBuyAgain: number): number {
  if ((model.responders ?? 'alike') === 'alike') return model.lift;
  return 2.5 * model.lift * Math.exp(-(((pBuyAgain - 0.5) / 0.15) ** 2));
}

/** A seeded random stream of one customer's own: the seed and the customer's id hashed (SHA-256) to its state. */
export function customerRandom(seed: number, customerId: string): () => number {
  return seededRandom(createHash('sha256').update(`${seed}\u0000${customerId}`).digest().readUInt32LE(0));
}
