/**
 * A least-recently-used cache of decoded file texts, bounded by total string length (UTF-16 code
 * units — what V8 actually holds), so reading a huge workspace never keeps more than `budget` alive.
 */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export class ContentCache {
  private readonly map = new Map<string, string>();
  private used = 0;

  constructor(readonly budget: number = DEFAULT_CACHE_BYTES) {}

  /** Total length of the cached strings. */
  get usedBytes(): number {
    return this.used;
  }

  get entries(): number {
    return this.map.size;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get(key: string): string | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: string, value: string): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      this.map.delete(key);
      this.used -= old.length;
    }
    // A value bigger than the whole budget would evict everything and still not fit.
    if (value.length > this.budget) return;
    this.map.set(key, value);
    this.used += value.length;
    for (const [k, v] of this.map) {
      if (this.used <= this.budget) break;
      this.map.delete(k);
      this.used -= v.length;
    }
  }

  delete(key: string): void {
    const old = this.map.get(key);
    if (old === undefined) return;
    this.map.delete(key);
    this.used -= old.length;
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }
}
