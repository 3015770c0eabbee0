import { rocAuc, spearman } from '@cvp/model';
import { SENTIMENT_CLASSES, sentimentClassOf, type SentimentClass } from './split';

export interface TextMetrics {
  /** Mean over the three classes of F1 (a class never predicted nor present counts 0). */
  macroF1: number;
  accuracy: number;
  /** Positive vs negative reviews (neutral left out), ranked by the score. */
  auc: number;
  /** The score's rank correlation with the stars, every review. */
  spearman: number;
}

export interface TextPrediction {
  label: SentimentClass;
  /** Higher = more positive. */
  score: number;
}

/** The four figures of `cvp evaluate-text` for predictions of reviews with known stars. */
export function textMetrics(ratings: readonly number[], predictions: readonly TextPrediction[]): TextMetrics {
  if (ratings.length !== predictions.length) throw new RangeError('ratings and predictions differ in length');
  if (ratings.length === 0) throw new RangeError('no reviews to measure');
  const actual = ratings.map(sentimentClassOf);
  const { macroF1, correct } = classScores(
    actual,
    predictions.map((prediction) => prediction.label),
  );
  const polar = actual.map((label, i) => ({ label, score: predictions[i].score })).filter((r) => r.label !== 'neutral');
  return {
    macroF1,
    accuracy: correct / ratings.length,
    auc: rocAuc(
      polar.map((r) => r.label === 'positive'),
      polar.map((r) => r.score),
    ),
    spearman: spearman(
      predictions.map((p) => p.score),
      [...ratings],
    ),
  };
}

/** Macro-F1 over the three classes (a class never predicted nor present counts 0) and how many are right. */
export function classScores(
  actual: readonly SentimentClass[],
  predicted: readonly SentimentClass[],
): { macroF1: number; correct: number } {
  let correct = 0;
  const f1s = SENTIMENT_CLASSES.map((cls) => {
    let truePositive = 0;
    let guessed = 0;
    let present = 0;
    actual.forEach((label, i) => {
      if (predicted[i] === cls) guessed++;
      if (label === cls) present++;
      if (label === cls && predicted[i] === cls) truePositive++;
    });
    correct += truePositive;
    return guessed + present === 0 ? 0 : (2 * truePositive) / (guessed + present);
  });
  return { macroF1: f1s.reduce((sum, f1) => sum + f1, 0) / f1s.length, correct };
}
