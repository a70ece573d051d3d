import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import LRUCache from '../../../lambdas/core/lru-cache.js';

/** mnemonist's own (a CommonJS module: `module.exports = LRUCache`), as @aws-sdk/endpoint-cache loads it. */
const MnemonistLRUCache = createRequire(import.meta.url)('mnemonist/lru-cache') as new <K, V>(
  capacity: number,
) => LRUCache<K, V>;

/** The cache aliased for mnemonist's in the Lambda bundles must answer exactly as mnemonist's does. */
describe('LRUCache (in place of mnemonist/lru-cache)', () => {
  const operation = fc.oneof(
    fc.record({ op: fc.constant('set' as const), key: fc.integer({ min: 0, max: 6 }), value: fc.integer() }),
    fc.record({
      op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const),
      key: fc.integer({ min: 0, max: 6 }),
    }),
    fc.record({ op: fc.constant('clear' as const) }),
  );

  it('answers every sequence of get, peek, has, set and clear as mnemonist does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(operation, { maxLength: 60 }), (capacity, ops) => {
        const ours = new LRUCache<number, number>(capacity);
        const theirs = new MnemonistLRUCache<number, number>(capacity);
        for (const step of ops) {
          if (step.op === 'set') {
            ours.set(step.key, step.value);
            theirs.set(step.key, step.value);
          } else if (step.op === 'clear') {
            ours.clear();
            theirs.clear();
          } else {
            expect(ours[step.op](step.key)).toEqual(theirs[step.op](step.key));
          }
          expect(ours.size).toBe(theirs.size);
        }
      }),
    );
  });

  it('refuses a capacity that is not positive, as mnemonist does', () => {
    expect(() => new LRUCache(0)).toThrow(/capacity/);
  });
});
