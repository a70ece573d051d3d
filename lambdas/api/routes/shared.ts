import type { ForkPolicy } from '../../core/config.js';
import { ForkNotFoundError, ForkStateConflictError, NotOwnerError } from '../../core/errors.js';
import type { ForkRecord } from '../../core/fork.js';
import { FORK_ID_PATTERN, FORK_NAME_PATTERN } from '../../core/ids.js';
import { isAdmin } from '../../core/principals.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import * as z from '../../core/zod.js';

/** `{id}` in /v1/forks/{id}: a fork id, or the name of a live fork. */
export const forkRefParamsSchema = z.strictObject({
  id: z.string().check(
    z.maxLength(64),
    z.refine(
      (ref) => FORK_ID_PATTERN.test(ref) || FORK_NAME_PATTERN.test(ref),
      'must be a fork id (fork-…) or fork name',
    ),
  ),
});

export async function findFork(rt: RuntimeWith<'store'>, ref: string): Promise<ForkRecord> {
  const byId = FORK_ID_PATTERN.test(ref) ? await rt.store.get(ref) : undefined;
  const fork = byId ?? (FORK_NAME_PATTERN.test(ref) ? await rt.store.findLiveByName(ref) : undefined);
  // An unclaimed warm-pool member is no one's fork: not shown, extended, refreshed nor deleted by
  // id (its pool keeper alone retires it; GET /v1/pools counts it).
  if (!fork || fork.pool) {
    throw new ForkNotFoundError(`no fork with id or live name "${ref}"`, {
      details: [{ path: 'id', message: 'fork not found' }],
    });
  }
  return fork;
}

/**
 * Ends a fork that made nothing `failed` (`workflow_not_started`), releasing its name and quota:
 * its workflow could not be started, or could not go on. False when the fork had already moved on
 * (its workflow owns the record); any other error is thrown.
 */
export async function failUnstarted(rt: RuntimeWith<'store'>, id: string, message: string): Promise<boolean> {
  try {
    await rt.store.transition(id, {
      step: 'failed',
      message,
      patch: { error: { code: 'workflow_not_started', message } },
      onlyFrom: ['creating'],
    });
    return true;
  } catch (error) {
    if (error instanceof ForkStateConflictError) return false;
    throw error;
  }
}

/** Safety invariant 5: only the owner or a configured admin may extend or delete a fork. */
export function assertCanManage(fork: ForkRecord, caller: string, policy: ForkPolicy, action: string): void {
  if (fork.owner === caller || isAdmin(caller, policy.adminPrincipals)) return;
  throw new NotOwnerError(
    `only the fork's owner (${fork.owner}) or a dbfork admin may ${action} fork ${fork.id}`,
    {
      details: [{ message: 'not the owner', owner: fork.owner, caller }],
    },
  );
}

/** A live fork that is not being cleaned up after a failed create. */
export function isExtendable(fork: ForkRecord): boolean {
  return fork.status === 'ready' || (fork.status === 'creating' && fork.step !== 'cleaning-up');
}

/**
 * The expiry schedules exist from the scheduling-expiry step on; before it, that step reads the new
 * expiry from the record. A fork being cleaned up or deleted must not get a schedule back.
 */
export function hasSchedule(fork: ForkRecord): boolean {
  return fork.step === 'scheduling-expiry' || fork.step === 'ready';
}
