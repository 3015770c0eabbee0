import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fitBgNbd, bgnbdTotalLogLikelihood, expectedTransactions, type BgNbdParams } from './baselines/bgnbd';
import { fitGammaGamma, populationMeanValue } from './baselines/gamma-gamma';
import { predictCustomerValue } from './baselines/bgnbd-gamma-gamma';
import { fitModifiedBgNbd } from './baselines/modified-bgnbd';
import { fitParetoNbd, paretoNbdExpectedTransactions } from './baselines/pareto-nbd';
import { rfmAverage } from './baselines/rfm-average';
import { evaluatePredictions, type EvaluationMetrics } from './metrics';
import { summarize, type Transaction } from './summaries';

// CPU-bound training: generous under a loaded machine; speed is measured in bench/, not here.
jest.setTimeout(60_000);

// The CDNOW 1/10 sample (2,357 customers, Fader & Hardie); see ../../../../shared/datasets/cdnow/SOURCE.md.
const DATASETS = path.resolve(__dirname, '../../../../shared/datasets/cdnow');
const SAMPLE = path.join(DATASETS, 'CDNOW_sample.txt');
// The published calibration summary of the same sample (ID, x, t_x, T, zbar; weeks, 2 decimals).
const PUBLISHED_SUMMARY = path.join(DATASETS, 'cdnow_customers_summary_with_transactions.csv');
const CUTOFF = new Date(Date.UTC(1997, 9, 1)); // calibration = 1997-01-01 .. 1997-09-30, 39 weeks
const HORIZON_WEEKS = 39;
const PUBLISHED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

function readShared(file: string): string {
  if (!existsSync(file)) {
    throw new Error(`CDNOW data missing at ${file}: the shared datasets must be in place (../shared/datasets)`);
  }
  return readFileSync(file, 'utf8');
}

function readSample(): Transaction[] {
  return readShared(SAMPLE)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [, customer, date, , dollars] = line.trim().split(/\s+/);
      const time = new Date(Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8)));
      return { customerId: customer, time, amount: Number(dollars) };
    });
}

const relativeError = (value: number, reference: number) => Math.abs(value - reference) / Math.abs(reference);
const format = (metrics: EvaluationMetrics) =>
  Object.entries(metrics)
    .filter(([name]) => name !== 'deciles')
    .map(([name, value]) => `${name} ${(value as number).toFixed(4)}`)
    .join(', ');

describe('CDNOW sample: reproducing Fader, Hardie & Lee (2005)', () => {
  const summaries = summarize(readSample(), { cutoff: CUTOFF, horizonDays: HORIZON_WEEKS * 7, unit: 'weeks' });
  const started = performance.now();
  const bgnbd = fitBgNbd(summaries);
  const bgnbdSeconds = (performance.now() - started) / 1000;
  const ggStarted = performance.now();
  const gammaGamma = fitGammaGamma(summaries);
  const ggSeconds = (performance.now() - ggStarted) / 1000;

  it('summarizes 2,357 customers exactly as the published calibration summary', () => {
    expect(summaries).toHaveLength(2357);
    const published = readShared(PUBLISHED_SUMMARY)
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').map(Number));
    expect(published).toHaveLength(2357);
    const byId = new Map(summaries.map((customer) => [Number(customer.customerId), customer]));
    for (const [id, x, tx, T, zbar] of published) {
      const customer = byId.get(id)!;
      expect(customer.repeatCount).toBe(x);
      expect(Math.abs(customer.lastRepeatTime - tx)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(customer.age - T)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(customer.meanRepeatValue - zbar)).toBeLessThanOrEqual(0.005 + 1e-9);
    }
    expect(summaries.reduce((sum, customer) => sum + customer.repeatCount, 0)).toBe(2457);
  });

  it('fits the published BG/NBD parameters within 2% and the published log-likelihood', () => {
    const { r, alpha, a, b } = bgnbd.params;
    console.log(
      `BG/NBD fit in ${bgnbdSeconds.toFixed(2)} s (${bgnbd.evaluations} evaluations, ${bgnbd.restarts} restarts): ` +
        `r ${r.toFixed(4)} (published 0.243, ${(100 * relativeError(r, PUBLISHED.r)).toFixed(2)}%), ` +
        `alpha ${alpha.toFixed(4)} (4.414, ${(100 * relativeError(alpha, PUBLISHED.alpha)).toFixed(2)}%), ` +
        `a ${a.toFixed(4)} (0.793, ${(100 * relativeError(a, PUBLISHED.a)).toFixed(2)}%), ` +
        `b ${b.toFixed(4)} (2.426, ${(100 * relativeError(b, PUBLISHED.b)).toFixed(2)}%), ` +
        `LL ${bgnbd.logLikelihood.toFixed(2)} (published -9582.4; at the published parameters ` +
        `${bgnbdTotalLogLikelihood(PUBLISHED, summaries).toFixed(2)})`,
    );
    expect(bgnbd.converged).toBe(true);
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      expect(relativeError(bgnbd.params[name], PUBLISHED[name])).toBeLessThan(0.02);
    }
    expect(bgnbd.logLikelihood).toBeCloseTo(-9582.4, 0);
    expect(bgnbd.logLikelihood).toBeGreaterThanOrEqual(bgnbdTotalLogLikelihood(PUBLISHED, summaries));
  });

  it('forecasts the 39-week holdout repeat transactions as the published parameters do', () => {
    const total = (params: BgNbdParams) =>
      summaries.reduce((sum, customer) => sum + expectedTransactions(params, customer, HORIZON_WEEKS), 0);
    const predicted = total(bgnbd.params);
    const actual = summaries.reduce((sum, customer) => sum + customer.holdoutTransactions, 0);
    console.log(
      `holdout repeat transactions (same-day merged): BG/NBD ${predicted.toFixed(1)} ` +
        `(published parameters ${total(PUBLISHED).toFixed(1)}), actual ${actual}`,
    );
    // 1,882 purchase days (1,959 rows) from 1997-10-01 to 1998-06-30. BG/NBD under-forecasts this holdout by about
    // 12% with our fit and with the published parameters alike, so the check is on the published model's number,
    // and a loose band around the actual one.
    expect(actual).toBe(1882);
    expect(relativeError(predicted, total(PUBLISHED))).toBeLessThan(0.005);
    expect(relativeError(predicted, actual)).toBeLessThan(0.15);
  });

  it('fits the published Pareto/NBD parameters and log-likelihood (Fader, Hardie & Lee 2005, Table 1)', () => {
    const fit = fitParetoNbd(summaries);
    const published = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
    const { r, alpha, s, beta } = fit.params;
    const forecast = summaries.reduce(
      (sum, customer) => sum + paretoNbdExpectedTransactions(fit.params, customer, HORIZON_WEEKS),
      0,
    );
    console.log(
      `Pareto/NBD: r ${r.toFixed(4)}, alpha ${alpha.toFixed(4)}, s ${s.toFixed(4)}, beta ${beta.toFixed(4)}, ` +
        `LL ${fit.logLikelihood.toFixed(2)} (published -9595.0); holdout repeat transactions ${forecast.toFixed(1)}`,
    );
    expect(fit.converged).toBe(true);
    for (const name of ['r', 'alpha', 's', 'beta'] as const) {
      expect(relativeError(fit.params[name], published[name])).toBeLessThan(0.005);
    }
    expect(fit.logLikelihood).toBeCloseTo(-9595.0, 0);
  });

  it('fits the modified BG/NBD as lifetimes does', () => {
    const fit = fitModifiedBgNbd(summaries);
    // lifetimes 0.11.3, ModifiedBetaGeoFitter on the published CDNOW summary.
    const reference = { r: 0.5248, alpha: 6.183, a: 0.8914, b: 1.614 };
    expect(fit.converged).toBe(true);
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      expect(relativeError(fit.params[name], reference[name])).toBeLessThan(0.005);
    }
    expect(fit.logLikelihood).toBeCloseTo(-9582.13, 1);
  });

  it('fits the published Gamma-Gamma parameters on the 946 repeat buyers', () => {
    const { p, q, gamma } = gammaGamma.params;
    console.log(
      `Gamma-Gamma fit in ${ggSeconds.toFixed(2)} s on ${gammaGamma.customers} repeat buyers: ` +
        `p ${p.toFixed(3)}, q ${q.toFixed(3)}, gamma ${gamma.toFixed(3)}, LL ${gammaGamma.logLikelihood.toFixed(2)}, ` +
        `population mean ${populationMeanValue(gammaGamma.params).toFixed(2)}`,
    );
    expect(gammaGamma.converged).toBe(true);
    expect(gammaGamma.customers).toBe(946);
    // p 6.25, q 3.74, γ 15.44 as published (Fader, Hardie & Lee 2005; Fader & Hardie 2013): this very sample.
    expect(relativeError(p, 6.25)).toBeLessThan(0.01);
    expect(relativeError(q, 3.74)).toBeLessThan(0.01);
    expect(relativeError(gamma, 15.44)).toBeLessThan(0.01);
    const repeatBuyers = summaries.filter((customer) => customer.repeatCount > 0);
    const meanOfMeans = repeatBuyers.reduce((sum, customer) => sum + customer.meanRepeatValue, 0) / 946;
    expect(relativeError(populationMeanValue(gammaGamma.params), meanOfMeans)).toBeLessThan(0.15);
  });

  it('evaluates BG/NBD + Gamma-Gamma and the historical average on the holdout', () => {
    const model = evaluatePredictions(
      summaries.map((customer) => {
        const prediction = predictCustomerValue(bgnbd.params, gammaGamma.params, customer, HORIZON_WEEKS);
        return {
          predictedSpend: prediction.expectedSpend,
          actualSpend: customer.holdoutSpend,
          probabilityOfPurchase: prediction.probabilityOfPurchase,
          bought: customer.holdoutBought,
        };
      }),
    );
    const average = evaluatePredictions(
      summaries.map((customer) => {
        const prediction = rfmAverage(customer, HORIZON_WEEKS);
        return {
          predictedSpend: prediction.expectedSpend,
          actualSpend: customer.holdoutSpend,
          probabilityOfPurchase: prediction.probabilityOfPurchase,
          bought: customer.holdoutBought,
        };
      }),
    );
    console.log(`BG/NBD + Gamma-Gamma: ${format(model)}\nhistorical average: ${format(average)}`);
    console.log(
      'deciles (BG/NBD+GG predicted / actual):\n' +
        model.deciles
          .map((row) => `${row.decile}: ${row.meanPredicted.toFixed(2)} / ${row.meanActual.toFixed(2)}`)
          .join('\n'),
    );
    expect(model.gini).toBeGreaterThan(0.5);
    expect(model.auc).toBeGreaterThan(0.7);
    expect(Math.abs(model.totalRatio - 1)).toBeLessThan(0.2);
    expect(model.mae).toBeLessThan(average.mae);
    expect(model.rmse).toBeLessThan(average.rmse);
    expect(Math.abs(average.totalRatio - 1)).toBeGreaterThan(1);
  });
});
