import { SENTIMENT_CLASSES, sentimentClassOf, splitReviews, type SentimentClass, type SplittableReview } from './split';
import { classScores, textMetrics, type TextMetrics, type TextPrediction } from './metrics';
import { balancedWeights, fitSoftmax, softmaxProbabilities } from './softmax';
import { fitTfidf, termIndex, tfidfVector, type SparseVector } from './tfidf';
import { ReviewSentimentPredictor, trainReviewSentiment, REVIEW_SENTIMENT_DEFAULTS } from './review-sentiment';

export interface EvaluatedReview extends SplittableReview {
  text: string;
}

export interface TextEvaluationInputs {
  reviews: readonly EvaluatedReview[];
  /** Scores a text with the lexicon (higher = more positive). */
  lexicon: (text: string) => number;
  /** The encoder's embedding of each review by id; absent when no encoder is staged. */
  embeddings?: ReadonlyMap<string, ArrayLike<number>>;
  encoder?: { name: string; dimensions: number };
}

export interface TextEvaluation {
  reviews: number;
  train: number;
  test: number;
  /** The model the trainer would serve with what is staged: `minilm+tfidf` with the encoder, else `tfidf`. */
  served: string;
  models: Record<string, TextMetrics>;
}

/**
 * `cvp evaluate-text`: the hold-out of `splitReviews`, the served head trained by the trainer's own function
 * (`trainReviewSentiment`) on the train part, beside the peers: the lexicon (two thresholds fitted on train for the
 * classes), TF-IDF (1-2 grams) + logistic regression, and (with the encoder) frozen embeddings + logistic regression.
 */
export async function evaluateTextModels(inputs: TextEvaluationInputs): Promise<TextEvaluation> {
  const { train, test } = splitReviews(inputs.reviews);
  if (train.length === 0 || test.length === 0) throw new RangeError('too few reviews for a hold-out of 20%');
  const ratings = test.map((review) => review.rating);
  const models: Record<string, TextMetrics> = {};

  models.lexicon = textMetrics(ratings, lexiconPredictions(train, test, inputs.lexicon));

  const words = fitTfidf(
    train.map((review) => review.text),
    1,
  );
  const wordIndex = termIndex(words);
  const wordVector = (review: EvaluatedReview) => tfidfVector(review.text, words, wordIndex);
  models['tfidf-logreg'] = textMetrics(ratings, await threeClassPeer(train, test, wordVector, words.terms.length));

  const embeddings = inputs.embeddings;
  const encoder = inputs.encoder;
  if (embeddings && encoder) {
    const dense = (review: EvaluatedReview): SparseVector => {
      const embedding = embeddings.get(review.id);
      if (!embedding) throw new RangeError(`no embedding of review ${review.id}`);
      return { indices: Array.from({ length: encoder.dimensions }, (_, d) => d), values: Array.from(embedding) };
    };
    models['minilm-logreg'] = textMetrics(ratings, await threeClassPeer(train, test, dense, encoder.dimensions));
  }

  const servedName = embeddings && encoder ? 'minilm+tfidf' : 'tfidf';
  const head = new ReviewSentimentPredictor(
    await trainReviewSentiment(
      train.map((review) => ({ text: review.text, rating: review.rating, embedding: embeddings?.get(review.id) })),
      { encoder: embeddings && encoder ? encoder : null },
    ),
  );
  models[servedName] = textMetrics(
    ratings,
    test.map((review) => {
      const prediction = head.predict(review.text, embeddings?.get(review.id));
      return { label: prediction.label, score: prediction.sentiment };
    }),
  );
  return { reviews: inputs.reviews.length, train: train.length, test: test.length, served: servedName, models };
}

/** The classic peer: 3-class logistic regression (balanced, C as the head's); score P(positive) - P(negative). */
async function threeClassPeer(
  train: readonly EvaluatedReview[],
  test: readonly EvaluatedReview[],
  vectorOf: (review: EvaluatedReview) => SparseVector,
  features: number,
): Promise<TextPrediction[]> {
  const labels = train.map((review) => SENTIMENT_CLASSES.indexOf(sentimentClassOf(review.rating)));
  const model = await fitSoftmax(train.map(vectorOf), labels, 3, features, {
    c: REVIEW_SENTIMENT_DEFAULTS.c,
    exampleWeights: balancedWeights(labels, 3),
  });
  return test.map((review) => {
    const p = softmaxProbabilities(model, vectorOf(review));
    return { label: SENTIMENT_CLASSES[p.indexOf(Math.max(...p))], score: p[2] - p[0] };
  });
}

/** The lexicon's score, cut into three classes at the two thresholds that give the best macro-F1 on train. */
function lexiconPredictions(
  train: readonly EvaluatedReview[],
  test: readonly EvaluatedReview[],
  lexicon: (text: string) => number,
): TextPrediction[] {
  const trainScores = train.map((review) => lexicon(review.text));
  const [low, high] = fitThresholds(
    trainScores,
    train.map((review) => review.rating),
  );
  return test.map((review) => {
    const score = lexicon(review.text);
    const label: SentimentClass = score < low ? 'negative' : score < high ? 'neutral' : 'positive';
    return { label, score };
  });
}

/** Two cut points (negative below the first, positive from the second) over the scores' quantiles. */
export function fitThresholds(scores: readonly number[], ratings: readonly number[]): [number, number] {
  const sorted = [...new Set(scores)].sort((a, b) => a - b);
  const step = Math.max(1, Math.floor(sorted.length / 60));
  const candidates = sorted.filter((_, i) => i % step === 0).concat(Infinity);
  let best: [number, number] = [candidates[0], candidates[0]];
  let bestF1 = -1;
  const actual = ratings.map(sentimentClassOf);
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i; j < candidates.length; j++) {
      const labels = scores.map((score): SentimentClass =>
        score < candidates[i] ? 'negative' : score < candidates[j] ? 'neutral' : 'positive',
      );
      const { macroF1 } = classScores(actual, labels);
      if (macroF1 > bestF1) {
        bestF1 = macroF1;
        best = [candidates[i], candidates[j]];
      }
    }
  }
  return best;
}
