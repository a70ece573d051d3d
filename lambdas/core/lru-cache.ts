/**
 * What the Lambda bundles use instead of mnemonist's `lru-cache`. Every DynamoDB client builds an
 * `EndpointCache` (@aws-sdk/endpoint-cache) for endpoint discovery — which dbfork never turns on —
 * and that cache is mnemonist's LRUCache: with mnemonist's helpers and `obliterator`, ~7 KB of every
 * function with a DynamoDB client. This is the same cache (least recently used evicted first, `get`
 * refreshes, `peek` does not) on a Map, with the methods EndpointCache calls. Aliased in by
 * `DBFORK_BUNDLE_ALIASES` (lib/dbfork-function.ts); test/unit/core/lru-cache.test.ts holds it to
 * mnemonist's behaviour.
 */
export default class LRUCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!(capacity > 0)) throw new Error('LRUCache: capacity should be positive number.');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** The value, its recency unchanged. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Sets the value as the most recently used; past the capacity, the least recently used goes. */
  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const [oldest] = this.entries.keys();
      this.entries.delete(oldest as K);
    }
    return this;
  }

  clear(): void {
    this.entries.clear();
  }
}
