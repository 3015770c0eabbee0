/**
 * A set that remembers only the most recent keys (between `capacity` and twice as many), so duplicate detection
 * over a stream uses bounded memory: two generations, the older dropped when the newer fills up.
 */
export class RecentKeys {
  private current = new Set<string>();
  private previous = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  add(key: string): void {
    if (this.current.size >= this.capacity) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(key);
  }
}
