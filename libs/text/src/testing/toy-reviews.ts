import type { ReviewExample } from '../review-sentiment';

/** A seeded toy shop: each star rating has its own words, mixed with shared filler. */
export function toyReviews(count: number, seed = 7): ReviewExample[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const words: Record<number, string[]> = {
    1: ['broke', 'refund', 'awful', 'never again'],
    2: ['disappointing', 'cheap feel', 'poor'],
    3: ['okay', 'average', 'fine i guess'],
    4: ['good', 'nice', 'works well'],
    5: ['love it', 'excellent', 'perfect gift'],
  };
  const filler = ['the', 'product', 'arrived', 'card', 'order', 'my', 'wife'];
  return Array.from({ length: count }, (_, i) => {
    const rating = (i % 5) + 1;
    const pick = (list: string[]) => list[Math.floor(random() * list.length)];
    const text = [pick(filler), pick(words[rating]), pick(filler), pick(words[rating]), pick(filler)].join(' ');
    return { text, rating, embedding: [rating <= 2 ? 1 : 0, rating >= 4 ? 1 : 0, random()] };
  });
}
