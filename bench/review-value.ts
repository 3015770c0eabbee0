/**
 * What review text adds to the value model (issue 17), on the Amazon review samples of ../shared/datasets:
 *   npm run nlp:model && node -r @swc-node/register bench/review-value.ts [--data DIR] [--horizon-days N] [--seed S]
 * Reviewers are the customers and a review is their activity; these files have no prices, so each review also counts
 * as a purchase worth 1 (the target: reviews written in the holdout, the last `--horizon-days` of the data). The
 * trainer's own path (`evaluate`: rolling cutoffs, selection, the served blend) runs three times on the same split:
 *   no-text  the reviews without their text (stars only);
 *   lexicon  the texts read by the word lexicon (the state without the review-text worker);
 *   model    + the language model's reading of every review before the cutoff: the review-sentiment head trained,
 *            as the trainer trains it, on the reviews before the cutoff, with the sentence encoder.
 * Prints the served model's Gini, Spearman, ROC AUC (bought again) and top-10% capture of each, side by side.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClickstreamEvent } from '@cvp/contracts';
import { openDataset } from '@cvp/datasets';
import { reviewReading, textSentiment, type FoldInput } from '@cvp/features';
import { evaluate, selectBackend } from '@cvp/model';
import { ReviewSentimentPredictor, trainReviewSentimentArtifact } from '@cvp/text';
import { loadSentenceEncoder, textModelStatus } from '@cvp/text-encoder';

const DAY_MS = 86_400_000;
const { values: args } = parseArgs({
  options: {
    data: {
      type: 'string',
      default: resolve(__dirname, '..', '..', 'shared', 'datasets', 'reviews_amazon2018_5core_small'),
    },
    'horizon-days': { type: 'string', default: '365' },
    seed: { type: 'string', default: '1' },
  },
});

type Review = Extract<ClickstreamEvent, { type: 'review' }>;

async function main(): Promise<void> {
  const status = textModelStatus();
  if (!status.ready) throw new Error(`no sentence encoder: ${status.reason} (npm run nlp:model)`);
  const horizonDays = Number(args['horizon-days']);
  const seed = Number(args.seed);
  const reviews: Review[] = [];
  const files = statSync(args.data).isDirectory()
    ? readdirSync(args.data)
        .filter((name) => /_5\.json(\.gz)?$/.test(name))
        .sort()
        .map((name) => join(args.data, name))
    : [args.data];
  for (const file of files) {
    for await (const event of openDataset('amazon-reviews', file).events) {
      if (event.type === 'review') reviews.push(event);
    }
  }
  const lastMs = Math.max(...reviews.map((review) => Date.parse(review.occurredAt)));
  const cutoff = new Date(Math.floor(lastMs / DAY_MS) * DAY_MS + DAY_MS - horizonDays * DAY_MS);
  const purchases = reviews.map((review): ClickstreamEvent => ({
    eventId: `${review.eventId}:order`,
    customerId: review.customerId,
    occurredAt: review.occurredAt,
    type: 'purchase',
    orderId: `${review.eventId}:order`,
    items: [{ productId: review.productId, quantity: 1, unitPrice: 1 }],
    total: 1,
    currency: 'USD',
  }));
  const before = reviews.filter((review) => Date.parse(review.occurredAt) < cutoff.getTime() && review.text?.trim());
  console.log(
    `${reviews.length} reviews of ${new Set(reviews.map((review) => review.customerId)).size} reviewers; cutoff ` +
      `${cutoff.toISOString().slice(0, 10)}, holdout ${horizonDays} days; ${before.length} texts before it`,
  );

  // The head as the trainer trains it (the newest 5,000 texts before the cutoff), then every text before it read.
  const encoder = await loadSentenceEncoder();
  let readings: FoldInput[];
  try {
    const texts = before.map((review) => review.text!.trim());
    const started = performance.now();
    const embeddings = await encoder.encode(texts);
    const newest = before
      .map((review, i) => ({ id: review.eventId, rating: review.rating, text: texts[i], embedding: embeddings[i] }))
      .map((review, i) => ({ review, ms: Date.parse(before[i].occurredAt) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5000)
      .map(({ review }) => review);
    const trained = await trainReviewSentimentArtifact(newest, (text) => textSentiment(text), {
      name: encoder.name,
      dimensions: encoder.dimensions,
    });
    if (!trained.artifact) throw new Error(`no head: ${trained.reason}`);
    const head = new ReviewSentimentPredictor(trained.artifact.model);
    readings = before.map((review, i) =>
      reviewReading({
        ...review,
        sentiment: Math.max(-1, Math.min(1, Math.round(head.predict(texts[i], embeddings[i]).sentiment * 1000) / 1000)),
        lexicon: Math.round(textSentiment(texts[i]) * 1000) / 1000,
      }),
    );
    console.log(
      `head trained and ${texts.length} texts read in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await encoder.close();
  }

  const variants: Record<string, FoldInput[]> = {
    'no-text': [...reviews.map(({ text: _text, ...review }): ClickstreamEvent => review), ...purchases],
    lexicon: [...reviews, ...purchases],
    model: [...reviews, ...purchases, ...readings],
  };
  await selectBackend(undefined, () => undefined);
  const rows: (string | number)[][] = [];
  for (const [name, events] of Object.entries(variants)) {
    const started = performance.now();
    const run = await evaluate({
      events,
      cutoff,
      horizonDays,
      seed,
      bootstrap: 0,
      dataset: name,
      log: (line) => console.error(`[${name}] ${line}`),
    });
    console.error(`[${name}] evaluated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    run.trained.model.dispose();
    const { served, models, customers } = run.result;
    const metrics = models[served];
    rows.push([
      name,
      customers,
      served,
      metrics.gini.toFixed(3),
      metrics.spearman.toFixed(3),
      metrics.auc.toFixed(3),
      metrics.top10Capture.toFixed(3),
    ]);
  }
  console.log('| variant | customers | served | Gini | Spearman | AUC | top 10% |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
