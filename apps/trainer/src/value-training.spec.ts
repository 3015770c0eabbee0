import { syntheticClickstream } from '@cvp/datasets';
import { selectBackend, trainValueModel, valueModelMetadata } from '@cvp/model';
import { endedEarly, TrainingProcessFailed, trainValueModelApart, type TrainApartOptions } from './value-training';

const START = new Date('2025-01-01T00:00:00Z');
const END = new Date('2026-06-01T00:00:00Z');

describe('trainValueModelApart', () => {
  const events = [...syntheticClickstream({ customers: 150, seed: 5, start: START, end: END })];
  const options: TrainApartOptions = {
    version: 'ziln@test',
    window: { from: START, to: END },
    events,
    horizonDays: 60,
    seed: 4,
    minCustomers: 1,
    maxEpochs: 4,
    backend: 'wasm',
  };
  beforeAll(async () => {
    await selectBackend('wasm', () => undefined);
  });

  it('trains in a process of its own what trainValueModel trains here, and leaves this event loop free', async () => {
    const lines: string[] = [];
    const epochs: number[] = [];
    // The longest this process's loop went without a turn while the child trained.
    let longestGapMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    }, 5);
    const apart = await trainValueModelApart(options, {
      log: (line) => lines.push(line),
      onEpoch: (record) => epochs.push(record.epoch),
    }).result.finally(() => clearInterval(ticker));
    const here = await trainValueModel({
      events,
      to: END,
      horizonDays: 60,
      seed: 4,
      minCustomers: 1,
      ziln: { maxEpochs: 4 },
    });
    try {
      expect(apart.metadata).toEqual(valueModelMetadata(here, { version: 'ziln@test', from: START, to: END, seed: 4 }));
      expect(apart.selection).toEqual(here.selection);
      expect(apart.validation).toEqual(here.validation);
      expect(apart.metrics).toEqual(here.metrics);
      // The network came back whole: the same predictions from its artifacts.
      const rows = here.model.inputs(here.validation.rows.slice(0, 20));
      const fromChild = apart.network.predict(rows).map((p) => p.expectedSpend);
      here.model.network.predict(rows).forEach((p, i) => expect(fromChild[i]).toBeCloseTo(p.expectedSpend, 6));
      expect(lines.some((line) => line.includes('[train]'))).toBe(true);
      expect(epochs[0]).toBe(1);
      // Seconds of training, and this process's loop turned all along (in-process, the fits hold it throughout).
      expect(longestGapMs).toBeLessThan(1_000);
    } finally {
      here.model.dispose();
      apart.network.network.dispose();
    }
  }, 120_000);

  it('rejects with the training error', async () => {
    await expect(trainValueModelApart({ ...options, events: [] }, { log: () => undefined }).result).rejects.toThrow(
      TrainingProcessFailed,
    );
  }, 60_000);

  it('stops when asked', async () => {
    const run = trainValueModelApart(options, { log: () => undefined });
    run.stop();
    await expect(run.result).rejects.toThrow(/stopped/);
  }, 60_000);

  it('says when a training process that ended early probably ran out of memory', () => {
    expect(endedEarly(1, null)).toBe('the training process ended before its result (exit code 1)');
    expect(endedEarly(null, 'SIGKILL')).toMatch(/\(SIGKILL: out of memory is the usual cause/);
    expect(endedEarly(null, 'SIGABRT')).toMatch(/--max-old-space-size/);
  });
});
