import { ForkStateConflictError } from '../core/errors.js';
import { describeRestore } from '../core/fork.js';
import { takeOverRefresh } from '../core/refresh-takeover.js';
import * as parts from '../core/runtime-parts.js';
import { expiryAfterMinutes } from '../core/ttl.js';
import { refreshOf } from './database-target.js';
import { defineStep } from './step.js';

/**
 * The switch's last write: the record names the new database (its id and endpoint), the lineage
 * lists the refresh, the expiry moves when the refresh asked for a TTL, and the refresh goes on to
 * delete the database it replaced. Idempotent (a retry finds the refresh `retiring`).
 */
export const step = defineStep('take-over', [parts.store], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  const refresh = refreshOf(fork, state);
  if (!refresh.endpoint) throw new ForkStateConflictError(`refresh ${refresh.attempt} has no endpoint`);
  const now = rt.now();
  await takeOverRefresh(rt.store, now, fork.id, refresh.attempt, {
    databaseId: refresh.databaseId,
    endpoint: refresh.endpoint,
    entry: {
      at: now.toISOString(),
      requestedBy: refresh.requestedBy,
      restore: refresh.restore,
      databaseId: refresh.databaseId,
      replaced: refresh.previousDatabaseId,
    },
    ...(refresh.ttl
      ? { expiry: { expiresAt: expiryAfterMinutes(now, refresh.ttl.minutes), ttl: refresh.ttl } }
      : {}),
    message: `refresh ${refresh.attempt}: ${refresh.databaseId} (from ${describeRestore(refresh.restore)}) now serves the fork; deleting ${refresh.previousDatabaseId}`,
  });
  return { refresh: { attempt: refresh.attempt, teardown: 'previous' } };
});
export const handler = step.handler;
