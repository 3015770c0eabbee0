import { join } from 'node:path';
import { TOPICS } from '@cvp/contracts';
import { syntheticClickstream } from '@cvp/datasets';
import { createKafkaWire, KafkaProducerService } from '@cvp/kafka';
import { selectBackend, trainValueModel, valueModelMetadata } from '@cvp/model';
import { ModelStore } from '@cvp/model-store';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const ROOT = join(__dirname, '..');

/**
 * Trains a value model on a synthetic history (2,000 customers, 2025), saves the artifact under .infra/bench-models
 * and announces it on cvp.models.v1, as the trainer would, so the benchmarked scorers score with a model. Returns the
 * version and the artifact URI.
 */
export async function publishBenchModel(run: string): Promise<string> {
  const { version } = await announce(await saveBenchModel(run));
  return version;
}

/** `members`: networks of the seed ensemble (the trainer's default, 3, unless a bench compares). */
export async function saveBenchModel(run: string, members?: number): Promise<{ version: string; artifactUri: string }> {
  await selectBackend('wasm', () => undefined);
  const start = new Date('2025-01-01T00:00:00Z');
  const end = new Date('2026-01-01T00:00:00Z');
  const events = [...syntheticClickstream({ customers: 2000, seed: 1, start, end })];
  const trained = await trainValueModel({ events, to: end, horizonDays: 90, seed: 1, members });
  const version = `ziln@${run}`;
  const artifactUri = await new ModelStore(join(ROOT, '.infra', 'bench-models')).save(
    version,
    trained.model.network,
    valueModelMetadata(trained, { version, from: start, to: end, seed: 1 }),
  );
  trained.model.dispose();
  return { version, artifactUri };
}

export async function announce(model: { version: string; artifactUri: string }) {
  const producer = new KafkaProducerService(createKafkaWire({ clientId: 'cvp-bench', brokers }));
  await producer.send(TOPICS.models, [
    {
      value: {
        version: model.version,
        algorithm: 'ziln',
        featureSchemaVersion: 'features@2',
        artifactUri: model.artifactUri,
        publishedAt: new Date().toISOString(),
      },
    },
  ]);
  await producer.onApplicationShutdown();
  return model;
}
