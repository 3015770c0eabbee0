/**
 * Small, bounded, order-insensitive summaries used by the customer state. Each one gives the same content
 * whatever order its inputs arrive in, which is what makes incremental and batch feature computation agree.
 */

/** 32-bit FNV-1a of the UTF-16 code units, finished with MurmurHash3's fmix32 so the bits are well mixed. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** First index in the ascending `sorted` whose value is >= `value` (or > it with `after`). */
function searchSorted(sorted: number[], value: number, after = false): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < value || (after && sorted[mid] === value)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * K-minimum-values distinct-count sketch: the `capacity` smallest distinct 32-bit hashes seen, ascending.
 * Adds `hash` in place. While fewer than `capacity` distinct values were seen it holds all of them, so the
 * count is exact (up to 32-bit hash collisions).
 */
export function kmvAdd(sketch: number[], hash: number, capacity: number): void {
  const size = sketch.length;
  if (size >= capacity && hash >= sketch[size - 1]) return;
  const at = searchSorted(sketch, hash);
  if (sketch[at] === hash) return;
  sketch.splice(at, 0, hash);
  if (sketch.length > capacity) sketch.pop();
}

/**
 * Distinct count of a KMV sketch: exact below `capacity`; above, the standard unbiased estimate
 * (k - 1) / U(k), U(k) = k-th smallest hash scaled to (0, 1] (relative standard error about 1/sqrt(k - 2)),
 * never less than `capacity` since at least that many distinct values were seen.
 */
export function kmvCount(sketch: number[], capacity: number): number {
  if (sketch.length < capacity) return sketch.length;
  const kth = (sketch[capacity - 1] + 1) / 2 ** 32;
  return Math.max(capacity, Math.round((capacity - 1) / kth));
}

/** Keeps, in place and ascending, the `capacity` largest values seen (a multiset: equal values all count). */
export function keepLargest(sorted: number[], value: number, capacity: number): void {
  if (sorted.length >= capacity && value <= sorted[0]) return;
  sorted.splice(searchSorted(sorted, value, true), 0, value);
  if (sorted.length > capacity) sorted.shift();
}

/**
 * Per-day buckets as parallel arrays: `days` ascending (UTC day numbers) and one array per measure.
 * Returns the index of `day`, inserting a zero bucket in every measure when it is absent.
 */
export function dayBucket(days: number[], measures: number[][], day: number): number {
  const last = days.length - 1;
  if (last >= 0 && days[last] === day) return last;
  const at = last < 0 || days[last] < day ? days.length : searchSorted(days, day);
  if (days[at] === day) return at;
  days.splice(at, 0, day);
  for (const measure of measures) measure.splice(at, 0, 0);
  return at;
}

/** Drops, in place, the buckets of days before `firstKeptDay`. */
export function dropDaysBefore(days: number[], measures: number[][], firstKeptDay: number): void {
  if (days.length === 0 || days[0] >= firstKeptDay) return;
  const count = searchSorted(days, firstKeptDay);
  days.splice(0, count);
  for (const measure of measures) measure.splice(0, count);
}

/** Sum of `measure` over the buckets whose day lies in [fromDay, toDay]. */
export function sumDays(days: number[], measure: number[], fromDay: number, toDay: number): number {
  let sum = 0;
  for (let i = days.length - 1; i >= 0 && days[i] >= fromDay; i--) if (days[i] <= toDay) sum += measure[i];
  return sum;
}
