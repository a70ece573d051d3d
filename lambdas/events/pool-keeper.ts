import { forkDnsName } from '../core/dns.js';
import type { SourceDatabase } from '../core/engines/engine.js';
import { type ForkRecord, POOL_OWNER } from '../core/fork.js';
import { newForkId } from '../core/ids.js';
import { memberOverrides, type PoolConfig } from '../core/pool-config.js';
import { memberAgeMs, type PoolMembers, poolMembers } from '../core/pool-state.js';
import { lazyRuntime } from '../core/runtime-assembly.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { TAG } from '../core/tags.js';
import { traced } from '../core/tracing.js';
import { expiryAfterMinutes } from '../core/ttl.js';

/**
 * The pool keeper (a sweep of the reconciler's rule): keeps every configured warm pool at its size.
 *
 * - **Refill**: while a pool has fewer than `size` members that are warming or ready and fresh, it
 *   writes a new member's record and starts its CreateFork (the member parks once ready).
 * - **Recycle**: a ready member older than `maxAgeHours` (or, with `recycleOnNewBackup`, restored
 *   from a backup older than the source's latest) is replaced first and retired once enough fresh
 *   members are ready; one twice that old is retired regardless (its replacement may be failing).
 * - **Drain**: ready members beyond the size, and every member of a pool no longer configured, are
 *   retired; warming ones are retired once they are ready.
 *
 * Retiring is a conditional write on the member's record (lambdas/core/pool-records.ts) and then
 * the failure of its parked task token, so a member is never both claimed and retired; when the
 * member's workflow is gone the keeper hands it to DeleteFork in cleanup mode instead. Members
 * whose warming fails are cleaned up by their own workflow like any failed create.
 */
export const POOL_KEEPER_PARTS = [
  parts.store,
  parts.engines,
  parts.workflows,
  parts.tasks,
  parts.metrics,
] as const;
export type PoolKeeperRuntime = RuntimeWith<(typeof POOL_KEEPER_PARTS)[number]['service']>;

/** The error a retired member's parked Task fails with (its Catch tears the member down). */
export const MEMBER_RETIRED = 'PoolMemberRetired';
/** A member may wait parked this many times its pool's max age before its own workflow gives up. */
const DEADLINE_FACTOR = 2;
/**
 * Members of one pool that failed within {@link FAILURE_WINDOW_MINUTES} after which the keeper stops
 * warming it (each attempt is a restore that costs money): until the failures age out of the
 * window, every run reports the pause as an error (the reconciler's findings alarm).
 */
export const FAILURES_TO_PAUSE = 2;
export const FAILURE_WINDOW_MINUTES = 60;

export interface PoolAction {
  source: string;
  forkId: string;
  action: 'warm' | 'retire';
  detail: string;
}

export interface PoolKeeping {
  actions: PoolAction[];
  errors: (Omit<PoolAction, 'action'> & { action: string })[];
}

const hours = (n: number) => n * 3_600_000;

export function createPoolKeeper(rt: PoolKeeperRuntime, options: { now?: () => Date } = {}) {
  const now = options.now ?? rt.now;
  const logger = rt.logger.createChild({ persistentKeys: { component: 'pool-keeper' } });

  return async function keepPools(): Promise<PoolKeeping> {
    const at = now();
    const keeping: PoolKeeping = { actions: [], errors: [] };
    const attempt = async (
      source: string,
      forkId: string,
      action: PoolAction['action'],
      work: () => Promise<string | undefined>,
    ) => {
      try {
        const detail = await work();
        if (detail !== undefined) keeping.actions.push({ source, forkId, action, detail });
      } catch (error) {
        const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        keeping.errors.push({ source, forkId, action, detail });
        logger.error('pool action failed', { source, forkId, action, error: detail });
      }
    };
    const fail = (source: string, forkId: string, detail: string) => {
      keeping.errors.push({ source, forkId, action: 'warm', detail });
      logger.error('pool not warmed', { source, forkId, error: detail });
    };
    let failures: ForkRecord[] | undefined;
    /** Starts `count` members of the pool (unless its members keep failing); how many started. */
    const warm = async (config: PoolConfig, count: number): Promise<number> => {
      failures ??= await recentlyFailed(rt, at);
      const failing = failures.filter((m) => m.pool?.source === config.source);
      if (failing.length >= FAILURES_TO_PAUSE) {
        const latest = failing[0]?.error;
        const why = latest ? ` (latest: ${latest.code}: ${latest.message})` : '';
        fail(
          config.source,
          failing[0]?.id ?? '',
          `warming paused: ${failing.length} members failed in the last ${FAILURE_WINDOW_MINUTES} minutes${why}`,
        );
        return 0;
      }
      let source: SourceDatabase;
      try {
        ({ source } = await rt.engines.resolve(config.source));
      } catch (error) {
        fail(config.source, '', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        return 0;
      }
      for (let i = 0; i < count; i++) {
        const member = memberRecord(rt, config, source, at);
        await attempt(config.source, member.id, 'warm', () => warmMember(rt, member, config, at));
      }
      return count;
    };
    const retire = (member: ForkRecord, why: string) =>
      attempt(member.pool?.source ?? '', member.id, 'retire', () => retireMember(rt, member, why));

    const pools = poolMembers(rt.env.policy.pools, await rt.store.pools.members());
    for (const pool of pools) {
      if (!pool.config) {
        for (const member of pool.ready)
          await retire(member, `its pool (${pool.source}) is no longer configured`);
        continue;
      }
      const plan = await planPool(rt, pool, pool.config, at);
      for (const [member, why] of plan.retire) await retire(member, why);
      const started = plan.warm > 0 ? await warm(pool.config, plan.warm) : 0;
      rt.metrics.pool(pool.source, {
        size: pool.config.size,
        ready: pool.ready.length,
        warming: pool.warming.length + started,
      });
    }
    // The reconciler sweeps' line (lib/monitoring.construct.ts counts a run with errors as a finding).
    logger.info('reconcile finished', {
      at: at.toISOString(),
      errors: keeping.errors.length,
      warmed: keeping.actions.filter((a) => a.action === 'warm').length,
      retired: keeping.actions.filter((a) => a.action === 'retire').length,
      keeping,
    });
    return keeping;
  };
}

/** What to do with one configured pool: how many members to start, and which to retire, why. */
async function planPool(
  rt: PoolKeeperRuntime,
  pool: PoolMembers,
  config: PoolConfig,
  at: Date,
): Promise<{ warm: number; retire: [ForkRecord, string][] }> {
  const maxAge = hours(config.maxAgeHours);
  const newest = config.recycleOnNewBackup ? await latestBackupId(rt, config.source) : undefined;
  const staleWhy = (member: ForkRecord): string | undefined => {
    if (memberAgeMs(member, at) >= maxAge) return `older than ${config.maxAgeHours} h`;
    const backup = member.restore.resolved?.snapshotId;
    if (newest && backup && backup !== newest) return `restored from ${backup}, and ${newest} is newer`;
    return undefined;
  };
  const fresh = pool.ready.filter((member) => !staleWhy(member));
  const stale = pool.ready.filter((member) => staleWhy(member));
  const retire: [ForkRecord, string][] = [];
  // Replaced, then deleted: a stale member goes once enough fresh ones are ready, or at twice its age.
  for (const member of stale) {
    const why = staleWhy(member) as string;
    if (fresh.length >= config.size) retire.push([member, `${why}; replaced`]);
    else if (memberAgeMs(member, at) >= DEADLINE_FACTOR * maxAge)
      retire.push([member, `${why}; past its deadline`]);
  }
  // Beyond the size (a pool made smaller): the oldest fresh ones go first.
  const excess = fresh.length + pool.warming.length - config.size;
  for (const member of fresh.slice(0, Math.max(0, Math.min(excess, fresh.length)))) {
    retire.push([member, `the pool of ${config.source} keeps ${config.size}`]);
  }
  const warm = Math.max(0, config.size - (pool.warming.length + fresh.length));
  return { warm, retire };
}

/** Members whose warming failed (not those retired on purpose) in the failure window, newest first. */
async function recentlyFailed(rt: PoolKeeperRuntime, at: Date): Promise<ForkRecord[]> {
  const windowStart = new Date(at.getTime() - FAILURE_WINDOW_MINUTES * 60_000).toISOString();
  // Warming takes hours at most: a member that failed in the window was created within a day of it.
  const createdSince = new Date(at.getTime() - hours(24) - FAILURE_WINDOW_MINUTES * 60_000).toISOString();
  const failed = await rt.store.pools.failed(createdSince);
  return failed
    .filter((m) => m.updatedAt >= windowStart && m.error?.code !== MEMBER_RETIRED)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

async function latestBackupId(rt: PoolKeeperRuntime, sourceId: string): Promise<string | undefined> {
  const { engine, source } = await rt.engines.resolve(sourceId);
  const backups = (await engine.listBackups(source)).filter((b) => b.status === 'available');
  return backups.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0]?.id;
}

/** A new member's record: restored from the source's latest backup, owned by nobody. */
function memberRecord(
  rt: PoolKeeperRuntime,
  config: PoolConfig,
  source: SourceDatabase,
  now: Date,
): ForkRecord {
  const id = newForkId();
  const at = now.toISOString();
  const deadlineMinutes = DEADLINE_FACTOR * config.maxAgeHours * 60;
  return {
    id,
    name: id,
    sourceRef: source.id,
    source: { id: source.id, arn: source.arn, engine: source.engine, kind: source.kind },
    restore: { requested: { type: 'latest-backup' } },
    overrides: memberOverrides(config),
    status: 'creating',
    step: 'resolving-source',
    progress: 0,
    order: 0,
    owner: POOL_OWNER,
    createdAt: at,
    updatedAt: at,
    // The member's own deadline (its parked wait times out then): the expiry sweep's backstop too.
    expiresAt: expiryAfterMinutes(now, deadlineMinutes),
    ttlHours: DEADLINE_FACTOR * config.maxAgeHours,
    ttlMinutes: deadlineMinutes,
    dnsName: forkDnsName(id, rt.env.hostedZoneDomain),
    tags: { [TAG.pool]: source.id },
    pool: { source: source.id },
    history: [
      {
        at,
        step: 'resolving-source',
        status: 'creating',
        message: `warming a member of the pool of ${source.id}`,
      },
    ],
  };
}

async function warmMember(
  rt: PoolKeeperRuntime,
  member: ForkRecord,
  config: PoolConfig,
  at: Date,
): Promise<string> {
  await rt.store.pools.add(member);
  const timeoutSeconds = Math.max(60, Math.floor((Date.parse(member.expiresAt) - at.getTime()) / 1000));
  try {
    await rt.workflows.startCreate(member.id, { source: config.source, timeoutSeconds });
  } catch (error) {
    // Nothing was made: the member ends failed at once, and the next run warms another.
    await rt.store.transition(member.id, {
      step: 'failed',
      message: 'the member’s create workflow could not be started',
      patch: { error: { code: 'workflow_not_started', message: 'the create workflow could not be started' } },
      onlyFrom: ['creating'],
    });
    throw error;
  }
  return `warming from the latest backup of ${config.source}`;
}

/** Retires a parked member; undefined when a claim got it first (nothing to report). */
async function retireMember(
  rt: PoolKeeperRuntime,
  member: ForkRecord,
  why: string,
): Promise<string | undefined> {
  const token = await rt.store.pools.retire(member, `retired from its pool: ${why}`);
  if (!token) return undefined;
  const outcome = await rt.tasks.fail(token, MEMBER_RETIRED, why);
  if (outcome === 'stale') {
    // Its parked workflow is gone: DeleteFork in cleanup mode removes it instead.
    await rt.workflows.startCleanup(member.id, 'pool', { Error: MEMBER_RETIRED, Cause: why });
    return `${why} (its workflow was gone: cleanup started)`;
  }
  return why;
}

const runtime = lazyRuntime(POOL_KEEPER_PARTS);

/** The scheduled Lambda's entry point (the reconciler's rule). */
export const handler = traced('pool-keeper', (): Promise<PoolKeeping> => createPoolKeeper(runtime())());
