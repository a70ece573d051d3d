import { FORK_ID_PATTERN } from './ids.js';
import { MINUTE_MS } from './ttl.js';
import * as z from './zod.js';

/**
 * `Fork Expiring` (DESIGN.md §5): published a lead time before a fork expires — the configured
 * `expiryWarningMinutes`, or half the time left when the fork has less than that when its expiry
 * is scheduled. A one-time schedule per fork (`dbfork-warn-<fork id>`) invokes the expiry-warning
 * function with {@link ExpiryWarningInput}.
 */

/** When the warning of a fork expiring at `expiresAt` fires, seen from `now`; undefined when it already expired. */
export function expiryWarningTime(now: Date, expiresAt: string, leadMinutes: number): string | undefined {
  const expiry = Date.parse(expiresAt);
  const left = expiry - now.getTime();
  if (!(left > 0)) return undefined;
  const lead = leadMinutes * MINUTE_MS;
  return new Date(expiry - (left >= lead ? lead : Math.floor(left / 2))).toISOString();
}

/** What the warning schedule hands the function: the fork, and the expiry it warns of. */
export const expiryWarningInputSchema = z.strictObject({
  forkId: z.string().check(z.regex(FORK_ID_PATTERN, 'must be a fork id')),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type ExpiryWarningInput = z.infer<typeof expiryWarningInputSchema>;
