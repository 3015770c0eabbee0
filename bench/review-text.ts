/**
 * The review-text worker's work per core, side by side in one run:
 *   npm run nlp:model && node -r @swc-node/register bench/review-text.ts [--reviews N] [--threads T] [--data DIR]
 * On the Amazon review samples of ../shared/datasets (--data; every k-th text), one process, T encoder threads
 * (default 1 = one core), the worker's own batches of 32:
 *   1. the encoder alone (tokenize + ONNX forward + pooling): its floor;
 *   2. the worker's path: encoder + the review-sentiment head (trained here on the first half, words + embedding)
 *      + the lexicon's reading of the same text (what each signal carries);
 *   3. the lexicon alone (what the state path does for every review, for scale).
 * Prints reviews/s of each and the worker's share of the encoder floor; the target is ≥ 60 reviews/s per core.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readLabelledReviews } from '@cvp/datasets';
import { textSentiment } from '@cvp/features';
import { ReviewSentimentPredictor, trainReviewSentiment } from '@cvp/text';
import { loadSentenceEncoder, textModelStatus } from '@cvp/text-encoder';

const { values: args } = parseArgs({
  options: {
    reviews: { type: 'string', default: '2000' },
    threads: { type: 'string', default: '1' },
    data: {
      type: 'string',
      default: resolve(__dirname, '..', '..', 'shared', 'datasets', 'reviews_amazon2018_5core_small'),
    },
  },
});

async function main(): Promise<void> {
  const status = textModelStatus();
  if (!status.ready) throw new Error(`no sentence encoder: ${status.reason}`);
  const threads = Number(args.threads);
  const set = await readLabelledReviews(args.data, 'amazon-reviews');
  // Every k-th review, so the five categories (and their lengths) are all in the sample.
  const wanted = Math.min(Number(args.reviews) * 2, set.reviews.length);
  const stride = set.reviews.length / wanted;
  const reviews = Array.from({ length: wanted }, (_, i) => set.reviews[Math.floor(i * stride)]);
  const half = Math.floor(reviews.length / 2);
  const train = reviews.slice(0, half);
  const measured = reviews.slice(half);
  const encoder = await loadSentenceEncoder(undefined, { threads });
  try {
    const trainEmbeddings = await encoder.encode(train.map((review) => review.text));
    const head = new ReviewSentimentPredictor(
      await trainReviewSentiment(
        train.map((review, i) => ({ ...review, embedding: trainEmbeddings[i] })),
        { encoder: { name: encoder.name, dimensions: encoder.dimensions } },
      ),
    );
    const texts = measured.map((review) => review.text);
    const batches = (size: number) =>
      Array.from({ length: Math.ceil(texts.length / size) }, (_, i) => texts.slice(i * size, (i + 1) * size));

    let started = performance.now();
    for (const batch of batches(32)) await encoder.encode(batch);
    const encoderOnly = texts.length / ((performance.now() - started) / 1000);

    started = performance.now();
    let negative = 0;
    for (const batch of batches(32)) {
      const embeddings = await encoder.encode(batch);
      batch.forEach((text, i) => {
        const prediction = head.predict(text, embeddings[i]);
        textSentiment(text);
        if (prediction.label === 'negative') negative++;
      });
    }
    const worker = texts.length / ((performance.now() - started) / 1000);

    started = performance.now();
    for (const text of texts) textSentiment(text);
    const lexicon = texts.length / ((performance.now() - started) / 1000);

    const meanChars = Math.round(texts.reduce((sum, text) => sum + text.length, 0) / texts.length);
    console.log(
      [
        `${texts.length} Amazon reviews (mean ${meanChars} characters), ${threads} encoder thread(s), batches of 32; ` +
          `${negative} read as negative`,
        '',
        '| path | reviews/s | per thread | vs the encoder alone |',
        '| --- | ---: | ---: | ---: |',
        `| encoder alone (floor) | ${encoderOnly.toFixed(0)} | ${(encoderOnly / threads).toFixed(0)} | 1.00 |`,
        `| worker: encoder + head + lexicon | ${worker.toFixed(0)} | ${(worker / threads).toFixed(0)} | ${(worker / encoderOnly).toFixed(2)} |`,
        `| lexicon alone (the state path) | ${lexicon.toFixed(0)} | | |`,
        '',
        `target: ≥ 60 reviews/s per core -> ${worker / threads >= 60 ? 'met' : 'not met'}`,
      ].join('\n'),
    );
  } finally {
    await encoder.close();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
