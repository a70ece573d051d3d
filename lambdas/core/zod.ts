/**
 * zod for the Lambdas: `zod/mini`, the same zod 4 with functional checks (`z.optional(s)`,
 * `s.check(z.minLength(1))`) that a bundler can tree-shake — the classic API carries every method
 * of every schema into every bundle (~100 KB of each handler; `npm run bench`, `bundles`). The
 * classic API loads zod's English messages itself; mini does not, so this module does, once:
 * import zod from here (`import * as z from '../core/zod.js'`), never from 'zod' directly.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
