import { expiryWarningInputSchema } from '../core/expiry-warning.js';
import type { ExpiryWarningRefusal } from '../core/expiry-warning-records.js';
import { lazyRuntime } from '../core/runtime-assembly.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { traced } from '../core/tracing.js';

/** The record and the bus: nothing else (no AWS resource of the fork is touched). */
export const EXPIRY_WARNING_PARTS = [parts.store, parts.events] as const;
export type ExpiryWarningRuntime = RuntimeWith<(typeof EXPIRY_WARNING_PARTS)[number]['service']>;

/** `published`, a refusal of the claim (lambdas/core/expiry-warning-records.ts), or `invalid` input. */
export type ExpiryWarningOutcome = 'published' | ExpiryWarningRefusal | 'invalid';

/**
 * Invoked by a fork's warning schedule (`dbfork-warn-<fork id>`, asynchronously, at least once):
 * publishes `Fork Expiring` with the public fork object (its `expiresAt` the expiry it warns of)
 * if the fork is still live and still expires at the time the schedule was made for, once per
 * expiry. A stale fire (the expiry moved, the fork is deleting or gone, a duplicate delivery)
 * publishes nothing. A failed publish gives the claim back and throws, so Lambda's asynchronous
 * retries try again.
 */
export async function handleExpiryWarning(
  event: unknown,
  rt: ExpiryWarningRuntime,
): Promise<ExpiryWarningOutcome> {
  const parsed = expiryWarningInputSchema.safeParse(event);
  if (!parsed.success) {
    rt.logger.warn('not an expiry warning input', { issues: parsed.error.issues.map((i) => i.message) });
    return 'invalid';
  }
  const { forkId, expiresAt } = parsed.data;
  const log = rt.logger.createChild({ persistentKeys: { forkId, expiresAt } });
  const claim = await rt.store.expiryWarnings.claim(forkId, expiresAt);
  if (!claim.claimed) {
    log.info('expiry warning not published', {
      reason: claim.reason,
      status: claim.fork?.status,
      currentExpiry: claim.fork?.expiresAt,
    });
    return claim.reason;
  }
  try {
    await rt.events.publish('Fork Expiring', claim.fork);
  } catch (error) {
    await rt.store.expiryWarnings.release(forkId, claim.sentAt);
    throw error;
  }
  log.info('expiry warning published');
  return 'published';
}

const runtime = lazyRuntime(EXPIRY_WARNING_PARTS);

export const handler = traced(
  'expiry-warning',
  (event: unknown): Promise<ExpiryWarningOutcome> => handleExpiryWarning(event, runtime()),
);
