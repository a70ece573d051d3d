import type { ForkPolicy } from '../../core/config.js';
import type { CreateForkBody, ForkRecord } from '../../core/fork.js';
import type { Idempotency, QuotaLimits } from '../../core/fork-admission.js';
import { memberOverrides, type PoolConfig, poolOf } from '../../core/pool-config.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import type { TaskCompletionOutcome } from '../../core/task-completion.js';
import { failUnstarted } from './shared.js';

/**
 * POST /v1/forks from a warm pool (lambdas/core/pool-records.ts): a request a member satisfies
 * claims the newest ready member of its source's pool, atomically; the fork then only gets its
 * credentials, secret, DNS name and expiry. Any other request, or an empty pool, is created as
 * usual.
 */

/** The pool whose members satisfy this request: the latest backup and the members' own overrides. */
export function poolFor(policy: ForkPolicy, sourceId: string, body: CreateForkBody): PoolConfig | undefined {
  const pool = poolOf(policy.pools, sourceId);
  if (!pool || body.restore.type !== 'latest-backup') return undefined;
  const asked = Object.entries(body.overrides ?? {}).filter(([, value]) => value !== undefined);
  const member = memberOverrides(pool) as Record<string, unknown>;
  const same = asked.every(([key, value]) => member[key] === value);
  return same ? pool : undefined;
}

/** Newest ready first: the fork gets the freshest data its pool has. */
function claimOrder(a: ForkRecord, b: ForkRecord): number {
  return (b.pool?.readyAt ?? '').localeCompare(a.pool?.readyAt ?? '');
}

export interface ClaimRequest {
  pool: PoolConfig;
  /** The fork as it would be created, for the member's id and what the member brings. */
  build(member: ForkRecord): ForkRecord;
  idempotency?: Idempotency;
  quotas: QuotaLimits;
}

export type ClaimOutcome =
  | { kind: 'claimed'; fork: ForkRecord }
  | { kind: 'replayed' }
  /** The member's parked workflow was gone or did not answer: the fork could not go on (marked failed). */
  | { kind: 'stale'; forkId: string }
  | { kind: 'none' };

export async function claimMember(
  rt: RuntimeWith<'store' | 'tasks'>,
  request: ClaimRequest,
): Promise<ClaimOutcome> {
  const ready = (await rt.store.pools.members())
    .filter((m) => m.pool?.source === request.pool.source && m.step === 'pooled' && m.pool.claimToken)
    .sort(claimOrder);
  for (const member of ready) {
    const fork = request.build(member);
    const claimed = await rt.store.pools.claim(member, fork, request.idempotency, request.quotas);
    if (!claimed) continue; // another create (or the keeper) took it first
    if (claimed.replayed) return { kind: 'replayed' };
    let outcome: TaskCompletionOutcome | 'failed';
    try {
      outcome = await rt.tasks.succeed(member.pool?.claimToken ?? '', { forkId: member.id });
    } catch (error) {
      // Step Functions did not answer (after the SDK's retries): the fork ends failed, and whichever
      // way the member's workflow goes on, it finds a failed record and tears the database down
      // (or the orphan sweep does, the record being no longer live).
      rt.logger.error('could not hand a pool member over to its fork', { forkId: member.id, error });
      outcome = 'failed';
    }
    if (outcome === 'completed') return { kind: 'claimed', fork: claimed.record };
    await failUnstarted(rt, member.id, 'the pool member it claimed had no workflow left to go on with');
    return { kind: 'stale', forkId: member.id };
  }
  return { kind: 'none' };
}
