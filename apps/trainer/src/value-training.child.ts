/**
 * The trainer's training process (forked by `trainValueModelApart`, value-training.ts): receives the run's events in
 * chunks, then its options; runs `trainValueModel`, the one training path, on its own TensorFlow.js backend; sends
 * back its logs, its epochs and its result (the network as model artifacts), then exits. Nothing here outlives the
 * run.
 */
import * as tf from '@tensorflow/tfjs';
import type { FoldInput } from '@cvp/features';
import { selectBackend, trainValueModel, valueModelMetadata } from '@cvp/model';
import type { FromChild, PlainTrained, ToChild } from './value-training';

const events: FoldInput[] = [];

if (!process.send) throw new Error('value-training.child runs forked by the trainer, with an IPC channel');
const post = process.send.bind(process);

function send(message: FromChild): Promise<void> {
  return new Promise((resolve, reject) => post(message, (error: Error | null) => (error ? reject(error) : resolve())));
}

async function train(options: Extract<ToChild, { type: 'train' }>['options']): Promise<PlainTrained> {
  const log = (line: string) => void send({ type: 'log', line });
  await selectBackend(options.backend, log);
  const trained = await trainValueModel({
    events,
    to: new Date(options.window.to),
    horizonDays: options.horizonDays,
    seed: options.seed,
    tierShares: options.tierShares,
    minCustomers: options.minCustomers,
    ziln: options.maxEpochs === undefined ? undefined : { maxEpochs: options.maxEpochs },
    log,
    onEpoch: (record) => void send({ type: 'epoch', record }),
  });
  try {
    let artifacts: tf.io.ModelArtifacts | undefined;
    await trained.model.network.network.save(
      tf.io.withSaveHandler(async (captured) => {
        artifacts = captured;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(captured) };
      }),
    );
    if (!artifacts) throw new Error('the network did not save');
    return {
      network: {
        topology: JSON.stringify(artifacts.modelTopology),
        weightSpecs: artifacts.weightSpecs ?? [],
        weightData: artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0),
        normalization: trained.model.network.normalization,
      },
      metadata: valueModelMetadata(trained, {
        version: options.version,
        from: new Date(options.window.from),
        to: new Date(options.window.to),
        seed: options.seed,
      }),
      validation: trained.validation,
      metrics: trained.metrics,
      selection: trained.selection,
      tierThresholds: trained.tierThresholds,
      customers: trained.customers,
      examples: trained.examples,
      training: trained.training,
    };
  } finally {
    trained.model.dispose();
  }
}

process.on('message', (message: ToChild) => {
  if (message.type === 'events') {
    for (const event of message.events) events.push(event);
    return;
  }
  train(message.options).then(
    (result) => send({ type: 'result', result }).then(() => process.exit(0)),
    (error: Error) => send({ type: 'error', message: error.message || String(error) }).finally(() => process.exit(1)),
  );
});
// Orphaned (the trainer died): nothing to train for.
process.on('disconnect', () => process.exit(1));
