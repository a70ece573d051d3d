import type { ForkRecord, RestoreRequest } from './fork.js';
import { currentDatabaseId } from './fork-databases.js';
import { refreshHookFor } from './hook-config.js';
import { refreshDatabaseId } from './ids.js';
import type { RuntimeWith } from './runtime-types.js';
import type { Ttl } from './ttl.js';

/** Who asked for a refresh, and what it restores from. */
export interface RefreshRequest {
  /** The caller's principal, or `schedule`. */
  requestedBy: string;
  restore: RestoreRequest;
  /** A new TTL, applied from when the new database takes over. */
  ttl?: Ttl;
  /** The request's Idempotency-Key (lambdas/api/idempotency.ts). */
  requestKey?: string;
}

export const SCHEDULED_REFRESH = 'schedule';

/**
 * Starts the fork's next refresh on its record (number n+1, database `<fork id>-r<n+1>`, and the
 * post-restore hook it runs there, pending): refused
 * with ForkStateConflictError unless the fork is ready and no refresh is in progress. Both the API
 * (POST /v1/forks/{id}/refresh) and a scheduled RefreshFork claim through here.
 */
export async function claimRefresh(
  rt: RuntimeWith<'store'>,
  fork: ForkRecord,
  request: RefreshRequest,
): Promise<ForkRecord & { refresh: NonNullable<ForkRecord['refresh']> }> {
  const attempt = (fork.refresh?.attempt ?? 0) + 1;
  const databaseId = refreshDatabaseId(fork.id, attempt);
  const previousDatabaseId = currentDatabaseId(fork);
  const hook = refreshHookFor(rt.env.policy.postRestoreHook, fork.hook?.name);
  const claimed = await rt.store.refreshes.claim(
    fork.id,
    {
      attempt,
      databaseId,
      previousDatabaseId,
      requestedBy: request.requestedBy,
      restore: { requested: request.restore },
      ...(request.ttl ? { ttl: request.ttl } : {}),
      ...(hook ? { hook } : {}),
      ...(request.requestKey ? { requestKey: request.requestKey } : {}),
    },
    `refresh ${attempt} requested by ${request.requestedBy}: a new database ${databaseId} from ${request.restore.type} replaces ${previousDatabaseId} once ready${hook ? `, post-restore hook ${hook} first` : ''}`,
  );
  if (!claimed.refresh) throw new Error(`fork ${fork.id} lost its refresh`);
  return claimed as ForkRecord & { refresh: NonNullable<ForkRecord['refresh']> };
}
