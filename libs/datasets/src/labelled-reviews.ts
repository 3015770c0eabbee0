import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse';
import { openText, textLines } from './lib/files';

/** A review with its star rating: what review-text models are trained and judged on. */
export interface LabelledReview {
  /** Stable id: the CSV's, or (Amazon) the first 16 hex of SHA-256 of `reviewerID \n unixReviewTime \n reviewText`. */
  id: string;
  /** The Amazon category (file name without `_5.json.gz`); '' for a CSV set. */
  category: string;
  /** 1..5 stars. */
  rating: number;
  /** The review text, trimmed (never the summary line: "Five Stars" would leak the label). */
  text: string;
}

export const LABELLED_REVIEW_FORMATS = ['amazon-reviews', 'csv'] as const;
export type LabelledReviewFormat = (typeof LABELLED_REVIEW_FORMATS)[number];

export interface LabelledReviewSet {
  reviews: LabelledReview[];
  /** Rows read, and why those not kept were left out. */
  rows: number;
  dropped: Record<string, number>;
}

/**
 * Reads a labelled review set.
 * - `amazon-reviews`: Amazon Review Data 2018 JSON Lines (gzip or not), one file or every `*.json[l][.gz]` of a folder
 *   except `meta_*` (in name order). Rows are grouped by the exact (reviewerID, unixReviewTime, reviewText): one review
 *   Amazon shows on each variant of a product is one review. Groups whose rows disagree on `overall` and groups with
 *   empty text are dropped; one row per group is kept (the first read).
 * - `csv`: a header with `id,rating,text`; every row must have a unique id and a whole rating 1..5 (a bad row is an
 *   error naming its line); empty texts are dropped.
 */
export async function readLabelledReviews(path: string, format: LabelledReviewFormat): Promise<LabelledReviewSet> {
  if (format === 'csv') return readCsvReviews(path);
  if (format === 'amazon-reviews') return readAmazonReviews(path);
  throw new Error(`unknown review format "${String(format)}": use ${LABELLED_REVIEW_FORMATS.join(' or ')}`);
}

function amazonFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((name) => /\.jsonl?(\.gz)?$/.test(name) && !name.startsWith('meta_'))
    .sort()
    .map((name) => join(path, name));
  if (files.length === 0) throw new Error(`${path}: no review files (*.json.gz, *.json, *.jsonl) in this folder`);
  return files;
}

const categoryOf = (file: string) => basename(file).replace(/(_5)?\.jsonl?(\.gz)?$/, '');

interface AmazonGroup {
  category: string;
  reviewer: string;
  time: number;
  rawText: string;
  ratings: Set<number>;
}

async function readAmazonReviews(path: string): Promise<LabelledReviewSet> {
  const groups = new Map<string, AmazonGroup>();
  const dropped: Record<string, number> = {};
  const drop = (reason: string) => (dropped[reason] = (dropped[reason] ?? 0) + 1);
  let rows = 0;
  for (const file of amazonFiles(path)) {
    const category = categoryOf(file);
    for await (const { text: line } of textLines(file)) {
      if (line.trim() === '') continue;
      rows++;
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line) as Record<string, unknown>;
      } catch {
        drop('bad_json');
        continue;
      }
      const reviewer = row.reviewerID;
      const time = row.unixReviewTime;
      const rating = row.overall;
      if (typeof reviewer !== 'string' || typeof time !== 'number' || typeof rating !== 'number') {
        drop('missing_reviewer_time_or_rating');
        continue;
      }
      if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
        drop('bad_rating');
        continue;
      }
      const rawText = typeof row.reviewText === 'string' ? row.reviewText : '';
      const key = `${reviewer}\u0000${time}\u0000${rawText}`;
      const group = groups.get(key);
      if (group) {
        group.ratings.add(rating);
        drop('copy_of_a_review');
      } else {
        groups.set(key, { category, reviewer, time, rawText, ratings: new Set([rating]) });
      }
    }
  }
  const reviews: LabelledReview[] = [];
  for (const group of groups.values()) {
    const text = group.rawText.trim();
    if (group.ratings.size > 1) drop('copies_disagree_on_rating');
    else if (text === '') drop('empty_text');
    else {
      const id = createHash('sha256')
        .update(`${group.reviewer}\n${group.time}\n${group.rawText}`)
        .digest('hex')
        .slice(0, 16);
      reviews.push({ id, category: group.category, rating: [...group.ratings][0], text });
    }
  }
  return { reviews, rows, dropped };
}

async function readCsvReviews(path: string): Promise<LabelledReviewSet> {
  const records = openText(path).pipe(parse({ columns: true, bom: true, skip_empty_lines: true }));
  const reviews: LabelledReview[] = [];
  const ids = new Set<string>();
  const dropped: Record<string, number> = {};
  let rows = 0;
  for await (const record of records as AsyncIterable<Record<string, string>>) {
    rows++;
    const line = `${path}: row ${rows + 1}`;
    if (rows === 1) {
      const missing = ['id', 'rating', 'text'].filter((column) => !(column in record));
      if (missing.length > 0) throw new Error(`${path}: the header lacks ${missing.join(', ')} (want id,rating,text)`);
    }
    const id = record.id.trim();
    if (id === '') throw new Error(`${line}: empty id`);
    if (ids.has(id)) throw new Error(`${line}: id "${id}" appears twice`);
    ids.add(id);
    const rating = Number(record.rating.trim());
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
      throw new Error(`${line}: rating "${record.rating}" is not a whole number of stars 1..5`);
    }
    const text = record.text.trim();
    if (text === '') {
      dropped.empty_text = (dropped.empty_text ?? 0) + 1;
      continue;
    }
    reviews.push({ id, category: '', rating, text });
  }
  if (rows === 0) throw new Error(`${path}: no rows`);
  return { reviews, rows, dropped };
}
