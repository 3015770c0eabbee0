/**
 * TF-IDF of word uni- and bigrams, as the classic text baseline computes it (scikit-learn's TfidfVectorizer with
 * `ngram_range=(1, 2), sublinear_tf=True`): lower-cased tokens of two or more word characters, bigrams of adjacent
 * tokens, tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1, each text's vector scaled to unit length.
 */

/** A sparse vector: parallel arrays of feature indices and values. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

const WORD = /[\p{L}\p{N}_]{2,}/gu;

/** The text's unigrams then bigrams, in order, repeats kept. */
export function ngrams(text: string): string[] {
  const tokens = text.toLowerCase().match(WORD) ?? [];
  const grams = [...tokens];
  for (let i = 1; i < tokens.length; i++) grams.push(`${tokens[i - 1]} ${tokens[i]}`);
  return grams;
}

export interface TfidfVocabulary {
  /** Terms in index order. */
  terms: string[];
  /** Inverse document frequency per term. */
  idf: number[];
}

/** The terms of at least `minDocuments` of the texts, with their idf over them. */
export function fitTfidf(texts: readonly string[], minDocuments = 2): TfidfVocabulary {
  const documentFrequency = new Map<string, number>();
  for (const text of texts) {
    for (const term of new Set(ngrams(text))) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const kept = [...documentFrequency.entries()]
    .filter(([, df]) => df >= minDocuments)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const n = texts.length;
  return { terms: kept.map(([term]) => term), idf: kept.map(([, df]) => Math.log((1 + n) / (1 + df)) + 1) };
}

/** Vectorises texts with one vocabulary; build the index once with `termIndex`. */
export function tfidfVector(
  text: string,
  vocabulary: TfidfVocabulary,
  index: ReadonlyMap<string, number>,
): SparseVector {
  const counts = new Map<number, number>();
  for (const term of ngrams(text)) {
    const i = index.get(term);
    if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
  }
  const entries = [...counts.entries()].sort(([a], [b]) => a - b);
  const indices = entries.map(([i]) => i);
  const values = entries.map(([i, count]) => (1 + Math.log(count)) * vocabulary.idf[i]);
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
  return { indices, values: norm > 0 ? values.map((value) => value / norm) : values };
}

export const termIndex = (vocabulary: TfidfVocabulary): Map<string, number> =>
  new Map(vocabulary.terms.map((term, i) => [term, i]));
