import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  ZilnModel,
  type BackendPreference,
  type EpochRecord,
  type EvaluationMetrics,
  type Normalization,
  type TrainedValueModel,
  type ValidationSet,
  type ValueModelMetadata,
} from '@cvp/model';
import type { FoldInput } from '@cvp/features';

/**
 * The value model's training in a process of its own. `trainValueModel` is CPU-bound for minutes on a large shop
 * (its BTYD fits and example construction are synchronous: on a simulated 100,000-customer log they held one event
 * loop for minutes at a time), and the trainer's event loop also answers its health probes, its API and its Kafka
 * consumer's heartbeats: run in-process, a long fit had Kubernetes restart the trainer in the middle of the run it
 * was doing (the chart's liveness probe gives up after 3 × 10 s) and the consumer group evict it. A child process
 * (not a worker thread: the native TensorFlow binding is not safe to load in several threads) runs the same
 * function, the one training path, and hands back what the trainer reads of its result, the network as model
 * artifacts; its logs and epochs come back as messages. Events go over in chunks so no single copy holds the
 * trainer's loop for long.
 */

/** What a run reads of `TrainedValueModel`, as plain data, and the network rebuilt in this process. */
export interface TrainedApart {
  network: ZilnModel;
  metadata: ValueModelMetadata;
  validation: ValidationSet;
  metrics: EvaluationMetrics;
  selection: TrainedValueModel['selection'];
  tierThresholds: TrainedValueModel['tierThresholds'];
  customers: TrainedValueModel['customers'];
  examples: TrainedValueModel['examples'];
  training: TrainedValueModel['training'];
}

export interface TrainApartOptions {
  version: string;
  window: { from: Date; to: Date };
  events: readonly FoldInput[];
  horizonDays: number;
  seed: number;
  tierShares?: { high: number; mid: number };
  minCustomers?: number;
  maxEpochs?: number;
  backend?: BackendPreference;
}

export interface TrainApartHooks {
  log: (line: string) => void;
  onEpoch?: (record: EpochRecord) => void;
}

/** Messages between the trainer and its training process (`value-training.child.ts`). */
export type ToChild =
  { type: 'events'; events: FoldInput[] } | { type: 'train'; options: Omit<TrainApartOptions, 'events'> };
export type FromChild =
  | { type: 'log'; line: string }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'result'; result: PlainTrained }
  | { type: 'error'; message: string };

/**
 * The result as it crosses: the network as its topology's JSON text and its weights (one buffer) with their specs,
 * and its input normalization.
 */
export interface PlainTrained extends Omit<TrainedApart, 'network'> {
  network: {
    topology: string;
    weightSpecs: tf.io.WeightsManifestEntry[];
    weightData: ArrayBuffer;
    normalization: Normalization;
  };
}

export class TrainingProcessFailed extends Error {}

/** Events per message to the child: one structured clone of this many holds the trainer's loop ~0.1 s. */
const EVENTS_PER_MESSAGE = 20_000;

/** The child's entry: the compiled .js beside this file, or the .ts source under ts-node-like loaders (tests). */
function childEntry(): { path: string; execArgv: string[] } {
  const typescript = __filename.endsWith('.ts');
  return {
    path: join(__dirname, `value-training.child.${typescript ? 'ts' : 'js'}`),
    execArgv: typescript ? ['-r', '@swc-node/register'] : [],
  };
}

/**
 * Trains the value model in a child process and returns what the run needs. `stop()` on the returned handle ends
 * the child (the promise then rejects with TrainingProcessFailed).
 */
export function trainValueModelApart(
  options: TrainApartOptions,
  hooks: TrainApartHooks,
): { result: Promise<TrainedApart>; stop: () => void } {
  const entry = childEntry();
  const child: ChildProcess = fork(entry.path, [], {
    execArgv: [...process.execArgv.filter((arg) => !arg.startsWith('--inspect')), ...entry.execArgv],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let stopped = false;
  const result = new Promise<TrainedApart>((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new TrainingProcessFailed(message));
    };
    child.on('message', (message: FromChild) => {
      if (message.type === 'log') hooks.log(message.line);
      else if (message.type === 'epoch') {
        try {
          hooks.onEpoch?.(message.record);
        } catch (error) {
          fail((error as Error).message);
        }
      } else if (message.type === 'error') fail(message.message);
      else if (message.type === 'result') {
        settled = true;
        rebuild(message.result).then(resolve, reject);
      }
    });
    child.on('error', (error) => fail(`the training process failed to run: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (!settled) {
        fail(stopped ? 'the training process was stopped' : endedEarly(code, signal));
      }
    });
    const { events, ...rest } = options;
    const send = (message: ToChild) =>
      new Promise<void>((done, failed) => child.send(message, (error) => (error ? failed(error) : done())));
    (async () => {
      for (let i = 0; i < events.length; i += EVENTS_PER_MESSAGE) {
        await send({ type: 'events', events: events.slice(i, i + EVENTS_PER_MESSAGE) as FoldInput[] });
      }
      await send({ type: 'train', options: rest });
    })().catch((error: Error) =>
      fail(
        stopped
          ? 'the training process was stopped'
          : `could not hand the events to the training process: ${error.message}`,
      ),
    );
  });
  return {
    result,
    stop: () => {
      stopped = true;
      child.kill('SIGTERM');
    },
  };
}

/** Why a run failed when its training process exited without a result. */
export function endedEarly(code: number | null, signal: NodeJS.Signals | null): string {
  const how = signal ?? `exit code ${code}`;
  const memory =
    signal === 'SIGKILL' || signal === 'SIGABRT'
      ? ": out of memory is the usual cause (the window's events and examples must fit the pod's memory limit and " +
        'the heap cap, --max-old-space-size)'
      : '';
  return `the training process ended before its result (${how}${memory})`;
}

async function rebuild(plain: PlainTrained): Promise<TrainedApart> {
  const { topology, weightSpecs, weightData } = plain.network;
  const network = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: JSON.parse(topology) as tf.io.ModelJSON['modelTopology'],
      weightSpecs,
      weightData,
    }),
  );
  return { ...plain, network: new ZilnModel(network, plain.network.normalization) };
}
