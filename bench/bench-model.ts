import { join } from 'node:path';
import { TOPICS, type ClickstreamEvent } from '@cvp/contracts';
import { syntheticClickstream } from '@cvp/datasets';
import { createPrismaClient } from '@cvp/db';
import { FEATURE_SCHEMA_VERSION, textSentiment } from '@cvp/features';
import { createKafkaWire, KafkaProducerService } from '@cvp/kafka';
import { selectBackend, trainValueModel, valueModelMetadata } from '@cvp/model';
import { ModelStore } from '@cvp/model-store';
import { RECOMMENDER_FILE, trainRecommenderArtifact } from '@cvp/recommend';
import {
  ratedReviewsOf,
  REVIEW_SENTIMENT_FILE,
  trainReviewSentimentArtifact,
  type ReviewSentimentArtifact,
} from '@cvp/text';
import { loadSentenceEncoder, textModelStatus } from '@cvp/text-encoder';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const ROOT = join(__dirname, '..');
/** The model store of the benchmarks: scorers they start get MODEL_STORE_DIR set to it (`BENCH_MODEL_STORE`). */
export const BENCH_MODEL_STORE = join(ROOT, '.infra', 'bench-models');

/**
 * Trains a value model and its recommender on a synthetic history (2,000 customers, 2025), saves the artifact under
 * .infra/bench-models,
 * records it in the model registry (status `candidate`, with its checksum) and announces it on cvp.models.v1, as the
 * trainer would, so the benchmarked scorers (MODEL_STORE_DIR=BENCH_MODEL_STORE) score with a model. Returns the
 * version.
 */
export async function publishBenchModel(run: string, options: { reviewHead?: boolean } = {}): Promise<string> {
  const { version } = await announce(await saveBenchModel(run, undefined, options));
  return version;
}

/**
 * `members`: networks of the seed ensemble (the trainer's default, 3, unless a bench compares); `reviewHead`: store a
 * review-sentiment head too, as the trainer does (on the staged sentence encoder when `npm run nlp:model` ran).
 */
export async function saveBenchModel(
  run: string,
  members?: number,
  options: { reviewHead?: boolean } = {},
): Promise<{ version: string; artifactUri: string; artifactSha256: string }> {
  await selectBackend('wasm', () => undefined);
  const start = new Date('2025-01-01T00:00:00Z');
  const end = new Date('2026-01-01T00:00:00Z');
  const events = [...syntheticClickstream({ customers: 2000, seed: 1, start, end })];
  const trained = await trainValueModel({ events, to: end, horizonDays: 90, seed: 1, members });
  const version = `ziln@${run}`;
  const metadata = valueModelMetadata(trained, { version, from: start, to: end, seed: 1 });
  // The recommender a trainer stores with the version: scorers serve it and put products on every score.
  const recommender = await trainRecommenderArtifact(events, end, 90);
  const reviewHead = options.reviewHead ? await benchReviewHead(events) : null;
  const artifact = await new ModelStore(BENCH_MODEL_STORE).save(version, trained.model.network, metadata, {
    ...(recommender ? { [RECOMMENDER_FILE]: JSON.stringify(recommender.artifact) } : {}),
    ...(reviewHead ? { [REVIEW_SENTIMENT_FILE]: JSON.stringify(reviewHead) } : {}),
  });
  trained.model.dispose();
  const prisma = createPrismaClient(process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp');
  try {
    await prisma.modelVersion.create({
      data: {
        version,
        status: 'candidate',
        algorithm: 'ziln',
        featureSchemaVersion: metadata.featureSchemaVersion,
        trainedFrom: start,
        trainedTo: end,
        metrics: { bench: run },
        artifactUri: artifact.uri,
        artifactSha256: artifact.sha256,
      },
    });
  } finally {
    await prisma.$disconnect();
  }
  return { version, artifactUri: artifact.uri, artifactSha256: artifact.sha256 };
}

export async function announce(model: { version: string; artifactUri: string; artifactSha256: string }) {
  const producer = new KafkaProducerService(createKafkaWire({ clientId: 'cvp-bench', brokers }));
  const publishedAt = new Date().toISOString();
  const { version, artifactUri, artifactSha256 } = model;
  await producer.send(TOPICS.models, [
    {
      value: {
        version,
        algorithm: 'ziln',
        featureSchemaVersion: FEATURE_SCHEMA_VERSION,
        artifactUri,
        artifactSha256,
        publishedAt,
        // Its own recommender, as a trainer publishing both at once announces it.
        recommender: { version, artifactUri, artifactSha256, publishedAt },
      },
    },
  ]);
  await producer.onApplicationShutdown();
  return model;
}

/** The review-sentiment head of the bench history's reviews, on the staged sentence encoder if there is one. */
async function benchReviewHead(events: readonly ClickstreamEvent[]): Promise<ReviewSentimentArtifact> {
  const reviews = ratedReviewsOf(events, 5_000);
  const encoder = textModelStatus().ready ? await loadSentenceEncoder() : null;
  try {
    const embeddings = encoder ? await encoder.encode(reviews.map((review) => review.text)) : null;
    const trained = await trainReviewSentimentArtifact(
      embeddings ? reviews.map((review, i) => ({ ...review, embedding: embeddings[i] })) : reviews,
      (text) => textSentiment(text),
      encoder ? { name: encoder.name, dimensions: encoder.dimensions } : null,
    );
    if (!trained.artifact) throw new Error(`no review head for the bench: ${trained.reason}`);
    return trained.artifact;
  } finally {
    await encoder?.close();
  }
}
