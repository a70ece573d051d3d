import { describe, expect, it } from 'vitest';
import '../../../local/node20-polyfills.js';

describe('node20 polyfills', () => {
  it('provides Promise.withResolvers', async () => {
    const { promise, resolve } = (
      Promise as unknown as { withResolvers: <T>() => { promise: Promise<T>; resolve: (value: T) => void } }
    ).withResolvers<string>();

    resolve('done');

    await expect(promise).resolves.toBe('done');
  });
});
