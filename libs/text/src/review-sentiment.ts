import { SENTIMENT_CLASSES, sentimentClassOf, type SentimentClass } from './split';
import { fitSoftmax, softmaxProbabilities, type SoftmaxModel } from './softmax';
import { fitTfidf, termIndex, tfidfVector, type SparseVector, type TfidfVocabulary } from './tfidf';

/**
 * The review-sentiment head: two softmax regressions over the same input, the review's TF-IDF (word uni- and bigrams)
 * and, when an encoder is there, its sentence embedding (all-MiniLM-L6-v2, scaled by `embeddingScale` so neither block
 * drowns the other). Words carry what a shop's reviews say ("refund", "broke after"), the embedding carries meaning the
 * words alone miss (paraphrase, negation). One head learns the three classes (1-2 / 3 / 4-5 stars; it names the
 * class), the other the five star ratings (its expectation orders reviews within a class, which the 3-class head
 * cannot); the sentiment is the mean of both heads' scores.
 */
export interface ReviewSentimentModel {
  kind: 'review-sentiment';
  version: 1;
  /** Which encoder's embeddings it was trained with; null: words only. */
  encoder: { name: string; dimensions: number; scale: number } | null;
  vocabulary: TfidfVocabulary;
  /** 3 classes × (terms + embedding dimensions), row-major. */
  classWeights: number[];
  classBias: number[];
  /** 5 star ratings × (terms + embedding dimensions), row-major. */
  starWeights: number[];
  starBias: number[];
  trainedOn: { reviews: number; c: number; minDocuments: number };
}

export interface ReviewExample {
  text: string;
  rating: number;
  /** The encoder's embedding (unit length), when the model uses one. */
  embedding?: ArrayLike<number>;
}

export interface ReviewSentimentOptions {
  encoder?: { name: string; dimensions: number } | null;
  /** Inverse L2 strength. */
  c?: number;
  /** Terms in fewer training reviews are left out. */
  minDocuments?: number;
  embeddingScale?: number;
}

export const REVIEW_SENTIMENT_DEFAULTS = { c: 10, minDocuments: 2, embeddingScale: 0.5 } as const;

export interface ReviewSentiment {
  /** P(negative), P(neutral), P(positive). */
  classes: number[];
  /** Expected stars by the star head, 1..5. */
  expectedStars: number;
  /** -1..1: the mean of (expectedStars - 3) / 2 and P(positive) - P(negative). */
  sentiment: number;
  label: SentimentClass;
}

const STARS = 5;

export async function trainReviewSentiment(
  examples: readonly ReviewExample[],
  options: ReviewSentimentOptions = {},
): Promise<ReviewSentimentModel> {
  const c = options.c ?? REVIEW_SENTIMENT_DEFAULTS.c;
  const minDocuments = options.minDocuments ?? REVIEW_SENTIMENT_DEFAULTS.minDocuments;
  const encoder = options.encoder
    ? { ...options.encoder, scale: options.embeddingScale ?? REVIEW_SENTIMENT_DEFAULTS.embeddingScale }
    : null;
  const labels = examples.map((example) => {
    if (!Number.isInteger(example.rating) || example.rating < 1 || example.rating > 5) {
      throw new RangeError(`a review's rating is 1..5 stars, not ${example.rating}`);
    }
    return example.rating - 1;
  });
  const present = new Set(labels);
  if (present.size < 2) throw new RangeError('reviews of at least two different star ratings are needed to train');
  const vocabulary = fitTfidf(
    examples.map((example) => example.text),
    minDocuments,
  );
  const index = termIndex(vocabulary);
  const features = vocabulary.terms.length + (encoder?.dimensions ?? 0);
  const inputs = examples.map((example) => inputOf(example.text, example.embedding, vocabulary, index, encoder));
  const classLabels = examples.map((example) => SENTIMENT_CLASSES.indexOf(sentimentClassOf(example.rating)));
  const classHead = await fitSoftmax(inputs, classLabels, SENTIMENT_CLASSES.length, features, { c });
  const starHead = await fitSoftmax(inputs, labels, STARS, features, { c });
  return {
    kind: 'review-sentiment',
    version: 1,
    encoder,
    vocabulary,
    classWeights: Array.from(classHead.weights),
    classBias: Array.from(classHead.bias),
    starWeights: Array.from(starHead.weights),
    starBias: Array.from(starHead.bias),
    trainedOn: { reviews: examples.length, c, minDocuments },
  };
}

function inputOf(
  text: string,
  embedding: ArrayLike<number> | undefined,
  vocabulary: TfidfVocabulary,
  index: ReadonlyMap<string, number>,
  encoder: ReviewSentimentModel['encoder'],
): SparseVector {
  const words = tfidfVector(text, vocabulary, index);
  if (!encoder) return words;
  if (!embedding || embedding.length !== encoder.dimensions) {
    throw new RangeError(`this model needs a ${encoder.dimensions}-dimension ${encoder.name} embedding of each review`);
  }
  const offset = vocabulary.terms.length;
  const indices = [...words.indices];
  const values = [...words.values];
  for (let d = 0; d < encoder.dimensions; d++) {
    indices.push(offset + d);
    values.push(embedding[d] * encoder.scale);
  }
  return { indices, values };
}

/** A trained head ready to predict (term index and weights unpacked once). */
export class ReviewSentimentPredictor {
  private readonly index: Map<string, number>;
  private readonly classHead: SoftmaxModel;
  private readonly starHead: SoftmaxModel;

  constructor(readonly model: ReviewSentimentModel) {
    if (model.kind !== 'review-sentiment' || model.version !== 1) throw new Error('not a review-sentiment model (v1)');
    const features = model.vocabulary.terms.length + (model.encoder?.dimensions ?? 0);
    const head = (weights: number[], bias: number[], classes: number): SoftmaxModel => {
      if (weights.length !== classes * features || bias.length !== classes) {
        throw new Error('review-sentiment model: weights do not match its vocabulary and encoder');
      }
      return { classes, features, weights: Float64Array.from(weights), bias: Float64Array.from(bias) };
    };
    this.index = termIndex(model.vocabulary);
    this.classHead = head(model.classWeights, model.classBias, SENTIMENT_CLASSES.length);
    this.starHead = head(model.starWeights, model.starBias, STARS);
  }

  get needsEmbedding(): boolean {
    return this.model.encoder !== null;
  }

  predict(text: string, embedding?: ArrayLike<number>): ReviewSentiment {
    const input = inputOf(text, embedding, this.model.vocabulary, this.index, this.model.encoder);
    const classes = softmaxProbabilities(this.classHead, input);
    const stars = softmaxProbabilities(this.starHead, input);
    const expectedStars = stars.reduce((sum, p, i) => sum + p * (i + 1), 0);
    const sentiment = ((expectedStars - 3) / 2 + classes[2] - classes[0]) / 2;
    return { classes, expectedStars, sentiment, label: SENTIMENT_CLASSES[classes.indexOf(Math.max(...classes))] };
  }
}
