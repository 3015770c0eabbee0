import type { Tier } from '@cvp/contracts';
import { FEATURE_NAMES } from '@cvp/features';
import { integratedGradients } from '../ziln/explain';
import type { ZilnModel, ZilnPrediction } from '../ziln/model';
import {
  BTYD_INPUT_NAMES,
  btydInputs,
  horizonStretch,
  orderShares,
  probabilityAliveOfRow,
  processProbabilityOfPurchase,
  processSpend,
  type BtydInputsFit,
  type PurchaseProcess,
} from './btyd-inputs';

export const VALUE_MODEL_ALGORITHM = 'ziln';

/** Simple predictors the deep model is blended with (or replaced by) when they rank better on the selection window. */
export const PEERS = ['btyd', 'pareto-nbd', 'modified-bgnbd', 'calibration-total', 'last-90d', 'last-365d'] as const;
export type PeerName = (typeof PEERS)[number];

const column = (name: (typeof FEATURE_NAMES)[number]) => FEATURE_NAMES.indexOf(name);
const PEER_COLUMNS: Record<Exclude<PeerName, 'btyd' | 'pareto-nbd' | 'modified-bgnbd'>, number> = {
  'calibration-total': column('monetaryTotal'),
  'last-90d': column('spend90d'),
  'last-365d': column('spend365d'),
};

/**
 * What the served prediction is made of: spend over the label window = scale · (zilnWeight · ZILN + (1 −
 * zilnWeight) · peerScale · peer), then stretched to the horizon. zilnWeight 1 is the deep model alone, 0 the peer
 * alone. P(buy) is chosen apart (`PurchaseBlend`).
 */
export interface ServedBlend {
  name: string;
  peer: PeerName | null;
  zilnWeight: number;
  /** Peer value → spend over the label window (fitted on the selection window's total). */
  peerScale: number;
  /** Calibration of the blend's total on the selection window. */
  scale: number;
}

/** Purchase processes whose P(buy) is a candidate beside the network's. */
export const PURCHASE_PROCESSES: readonly PurchaseProcess[] = ['bgnbd', 'pareto-nbd', 'modified-bgnbd'];

/**
 * Where the served P(buy) comes from: over the label window, networkWeight · the network's + (1 − networkWeight) ·
 * the purchase process's, then stretched to the horizon. The network alone for a customer the process cannot read
 * (no purchase yet, or no fit).
 */
export interface PurchaseBlend {
  name: string;
  process: PurchaseProcess | null;
  networkWeight: number;
}

export const NETWORK_PURCHASE: PurchaseBlend = { name: 'network', process: null, networkWeight: 1 };

/** Expected-spend cut points of the value tiers, fitted as quantiles of the population's predictions. */
export interface TierThresholds {
  high: number;
  mid: number;
  highShare: number;
  midShare: number;
}

/** What turns the network into served predictions (a part of the model's metadata). */
export interface ValueModelSpec {
  horizonDays: number;
  /** Length of the windows the network learned spend over; predictions are stretched from it to the horizon. */
  labelDays: number;
  /** The network's inputs: FEATURE_NAMES, then BTYD_INPUT_NAMES when hybrid. */
  inputNames: string[];
  /** Population fit of the hybrid inputs as of the end of the training window (null: none). */
  btyd: BtydInputsFit | null;
  served: ServedBlend;
  purchase: PurchaseBlend;
}

export const ZILN_ONLY: ServedBlend = { name: 'cvp-ziln', peer: null, zilnWeight: 1, peerScale: 1, scale: 1 };

/** The spec of a model's metadata; metadata written before hybrid models (no labelDays) reads as the network alone. */
export function valueModelSpec(metadata: {
  horizonDays: number;
  labelDays?: number;
  inputNames?: string[];
  btyd?: BtydInputsFit | null;
  served?: ServedBlend;
  purchase?: PurchaseBlend;
}): ValueModelSpec {
  return {
    horizonDays: metadata.horizonDays,
    labelDays: metadata.labelDays ?? metadata.horizonDays,
    inputNames: metadata.inputNames ?? [...FEATURE_NAMES],
    btyd: metadata.btyd ?? null,
    served: metadata.served ?? ZILN_ONLY,
    purchase: metadata.purchase ?? NETWORK_PURCHASE,
  };
}

export interface ValuePrediction {
  /** Expected spend over the horizon. */
  expectedSpend: number;
  /** P(at least one purchase in the horizon). */
  probabilityOfPurchase: number;
  /** 10th and 90th percentiles (the network's interval, scaled like its mean). */
  lower: number;
  upper: number;
}

/** A customer's value over a chosen horizon (see `ValueModel.valueOver`). */
export interface CustomerValue {
  horizonDays: number;
  annualDiscountRate: number;
  /** Expected spend over the horizon, undiscounted. */
  expectedSpend: number;
  /** Customer lifetime value over the horizon: the expected spend of each month discounted to the start. */
  clv: number;
  /** P(at least one purchase in the horizon). */
  probabilityOfPurchase: number;
  /** BG/NBD's P(alive) (null before a first purchase, or for a model without the hybrid fit). */
  probabilityAlive: number | null;
}

/** Longest horizon `valueOver` takes (ten years). */
export const MAX_VALUE_HORIZON_DAYS = 3650;
const SLICE_DAYS = 30;
const YEAR_DAYS = 365;

/** The served value model: the ZILN network, its hybrid inputs, the blend chosen at training and the horizon. */
export class ValueModel {
  constructor(
    readonly network: ZilnModel,
    readonly spec: ValueModelSpec,
  ) {
    if (network.normalization.mean.length !== spec.inputNames.length) {
      throw new RangeError(
        `the network takes ${network.normalization.mean.length} inputs, the spec names ${spec.inputNames.length}`,
      );
    }
  }

  get hybrid(): boolean {
    return this.spec.inputNames.length > FEATURE_NAMES.length;
  }

  /** The network's input rows for feature rows (FEATURE_NAMES order). */
  inputs(rows: readonly (readonly number[])[]): number[][] {
    if (!this.hybrid) return rows.map((row) => [...row]);
    return rows.map((row) => [...row, ...btydInputs(this.spec.btyd, row, this.spec.labelDays)]);
  }

  predict(rows: readonly (readonly number[])[]): ValuePrediction[] {
    return this.predictWith(rows, this.spec.served);
  }

  /** Predictions of another blend of the same network (the candidates of the selection). */
  predictWith(
    rows: readonly (readonly number[])[],
    blend: ServedBlend,
    purchase: PurchaseBlend = this.spec.purchase,
  ): ValuePrediction[] {
    return this.predictEach(rows, [{ blend, purchase }])[0];
  }

  /** `predictWith` for several blends at once: the inputs, the network's pass and the stretches computed once. */
  predictEach(
    rows: readonly (readonly number[])[],
    candidates: readonly { blend: ServedBlend; purchase?: PurchaseBlend }[],
  ): ValuePrediction[][] {
    const inputs = this.inputs(rows);
    const network = this.network.predict(inputs);
    const stretches = this.stretches(rows);
    return candidates.map(({ blend, purchase }) => this.served(inputs, network, blend, stretches, purchase));
  }

  /**
   * Value over any horizon with an optional annual discount rate: the served prediction over the label window
   * stretched to `horizonDays` by BG/NBD (as `predict` does for the model's own horizon), spread over 30-day slices
   * by the customer's BG/NBD expected orders, each slice discounted at its midpoint by (1 + rate)^-(days / 365).
   */
  valueOver(
    rows: readonly (readonly number[])[],
    options: { horizonDays: number; annualDiscountRate?: number },
  ): CustomerValue[] {
    const { horizonDays } = options;
    const rate = options.annualDiscountRate ?? 0;
    if (!Number.isInteger(horizonDays) || horizonDays <= 0 || horizonDays > MAX_VALUE_HORIZON_DAYS) {
      throw new RangeError(`horizonDays must be a whole number in [1, ${MAX_VALUE_HORIZON_DAYS}], got ${horizonDays}`);
    }
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`annualDiscountRate must be in [0, 1], got ${rate}`);
    const { btyd, labelDays } = this.spec;
    const inputs = this.inputs(rows);
    const network = this.network.predict(inputs);
    const stretches = rows.map((row) => horizonStretch(btyd, row, labelDays, horizonDays));
    const predictions = this.served(inputs, network, this.spec.served, stretches);
    const slices: { fromDays: number; toDays: number }[] = [];
    for (let from = 0; from < horizonDays; from += SLICE_DAYS) {
      slices.push({ fromDays: from, toDays: Math.min(horizonDays, from + SLICE_DAYS) });
    }
    const discounts = slices.map((slice) => (1 + rate) ** -((slice.fromDays + slice.toDays) / 2 / YEAR_DAYS));
    return predictions.map((prediction, i) => {
      const shares = rate === 0 ? null : orderShares(btyd, rows[i], slices);
      const clv = shares
        ? prediction.expectedSpend * shares.reduce((sum, share, k) => sum + share * discounts[k], 0)
        : prediction.expectedSpend;
      return {
        horizonDays,
        annualDiscountRate: rate,
        expectedSpend: prediction.expectedSpend,
        clv,
        probabilityOfPurchase: prediction.probabilityOfPurchase,
        probabilityAlive: probabilityAliveOfRow(btyd, rows[i]),
      };
    });
  }

  private stretches(rows: readonly (readonly number[])[]): ReturnType<typeof horizonStretch>[] {
    const { btyd, labelDays, horizonDays } = this.spec;
    return rows.map((row) => horizonStretch(btyd, row, labelDays, horizonDays));
  }

  /**
   * Predictions with their reasons: integrated gradients of the network's expected spend for each input
   * (`spec.inputNames`), scaled as the network's part of the served prediction (scale · weight · stretch to the
   * horizon) so they are in currency over the horizon; a served peer alone is explained by the network beside it.
   * Inputs and the forward pass are computed once.
   */
  predictAndExplain(
    rows: readonly (readonly number[])[],
    steps = 6,
  ): { predictions: ValuePrediction[]; inputs: number[][]; attributions: number[][] } {
    const inputs = this.inputs(rows);
    const network = this.network.predict(inputs);
    const stretches = this.stretches(rows);
    const predictions = this.served(inputs, network, this.spec.served, stretches);
    const { served } = this.spec;
    const share = served.scale * (served.zilnWeight > 0 ? served.zilnWeight : 1);
    const attributions = integratedGradients(this.network, inputs, steps).map((row, i) => {
      const factor = share * stretches[i].spend;
      return row.map((value) => value * factor);
    });
    return { predictions, inputs, attributions };
  }

  private served(
    inputs: readonly (readonly number[])[],
    network: readonly ZilnPrediction[],
    blend: ServedBlend,
    stretches: readonly ReturnType<typeof horizonStretch>[],
    purchase: PurchaseBlend = this.spec.purchase,
  ): ValuePrediction[] {
    return network.map((prediction, i) => {
      const overLabel = blendSpend(blend, prediction.expectedSpend, inputs[i], this.spec);
      const stretch = stretches[i];
      const expectedSpend = overLabel * stretch.spend;
      const ratio = prediction.expectedSpend > 0 ? expectedSpend / prediction.expectedSpend : 0;
      const buy = blendProbability(purchase, prediction.probabilityOfPurchase, inputs[i], this.spec);
      return {
        expectedSpend,
        probabilityOfPurchase: stretch.probability(buy),
        lower: prediction.lower * ratio,
        upper: prediction.upper * ratio,
      };
    });
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** A blend's spend over the label window for one customer, from the network's expected spend and their input row. */
export function blendSpend(
  blend: ServedBlend,
  zilnSpend: number,
  input: readonly number[],
  spec: Pick<ValueModelSpec, 'inputNames' | 'btyd' | 'labelDays'>,
): number {
  const peer = blend.peer ? blend.peerScale * peerValue(blend.peer, input, spec) : 0;
  return blend.scale * (blend.zilnWeight * zilnSpend + (1 - blend.zilnWeight) * peer);
}

/** A purchase blend's P(buy) over the label window for one customer, from the network's and their input row. */
export function blendProbability(
  purchase: PurchaseBlend,
  networkProbability: number,
  input: readonly number[],
  spec: Pick<ValueModelSpec, 'btyd' | 'labelDays'>,
): number {
  if (!purchase.process || purchase.networkWeight >= 1) return networkProbability;
  const process = processProbabilityOfPurchase(spec.btyd, input, spec.labelDays, purchase.process);
  if (process === null) return networkProbability;
  return purchase.networkWeight * networkProbability + (1 - purchase.networkWeight) * process;
}

/**
 * A peer's raw value from a network input row (feature columns first, hybrid columns after): BG/NBD + Gamma-Gamma's
 * spend over the label window is a hybrid input; Pareto/NBD's and modified BG/NBD's (× Gamma-Gamma) are computed
 * from the row with the spec's fit.
 */
export function peerValue(
  peer: PeerName,
  input: readonly number[],
  spec: Pick<ValueModelSpec, 'inputNames' | 'btyd' | 'labelDays'>,
): number {
  if (peer === 'btyd') {
    const at = spec.inputNames.indexOf('btydExpectedSpend');
    return at >= 0 ? input[at] : 0;
  }
  if (peer === 'pareto-nbd' || peer === 'modified-bgnbd') return processSpend(spec.btyd, input, spec.labelDays, peer);
  return Math.max(0, input[PEER_COLUMNS[peer]]);
}

export const HYBRID_INPUT_NAMES: readonly string[] = [...FEATURE_NAMES, ...BTYD_INPUT_NAMES];

export function checkTierShares(shares: { high: number; mid: number }): void {
  if (!(shares.high > 0 && shares.mid > 0 && shares.high + shares.mid < 1)) {
    throw new RangeError(`tier shares must be positive with high + mid < 1, got ${JSON.stringify(shares)}`);
  }
}

/**
 * Tier cut points: `high` is the (1 − highShare) quantile of the expected spends, `mid` the
 * (1 − highShare − midShare) quantile (lower quantile, no interpolation, so a threshold is a real prediction).
 */
export function fitTierThresholds(
  expectedSpends: readonly number[],
  shares: { high: number; mid: number },
): TierThresholds {
  checkTierShares(shares);
  if (expectedSpends.length === 0) throw new RangeError('no predictions to fit tier thresholds on');
  const sorted = [...expectedSpends].sort((a, b) => a - b);
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))];
  return {
    high: quantile(1 - shares.high),
    mid: quantile(1 - shares.high - shares.mid),
    highShare: shares.high,
    midShare: shares.mid,
  };
}

/**
 * A customer expected to spend nothing is `low` whatever the thresholds: when more than the low share of the
 * population is predicted 0 (a served peer such as last-90-day spend), the `mid` quantile is 0 itself.
 */
export function tierOf(expectedSpend: number, thresholds: Pick<TierThresholds, 'high' | 'mid'>): Tier {
  if (!(expectedSpend > 0)) return 'low';
  return expectedSpend >= thresholds.high ? 'high' : expectedSpend >= thresholds.mid ? 'mid' : 'low';
}
