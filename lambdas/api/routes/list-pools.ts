import { SourceNotFoundError } from '../../core/errors.js';
import { poolCostDescription } from '../../core/pool-cost.js';
import { memberAgeMs, type PoolMembers, poolMembers } from '../../core/pool-state.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import * as z from '../../core/zod.js';
import { type ApiRequest, parseQuery } from '../request.js';
import type { ApiResponse } from '../respond.js';

/**
 * GET /v1/pools: what each warm pool holds now (lambdas/core/pool-state.ts) — every configured pool,
 * then any pool no longer configured whose members are still being drained — and what it costs,
 * in instance classes and counts (dbfork knows no prices). It names no member: members are nobody's
 * forks, so any caller may read it.
 */

type PoolsRuntime = RuntimeWith<'store' | 'engines'>;

export interface PoolView {
  source: string;
  /** false: the pool is no longer configured; its members are being drained. */
  configured: boolean;
  /** Members the pool keeps; 0 for a pool no longer configured. */
  size: number;
  /** Parked, claimable by a create. */
  ready: number;
  /** Being restored. */
  warming: number;
  /** Retired (too old, drained) or failed, being torn down. */
  leaving: number;
  /** Age of the oldest ready or warming member, since its restore began; null when there is none. */
  oldestMemberAgeMinutes: number | null;
  /** Null for a pool no longer configured. */
  maxAgeHours: number | null;
  /** The members' class: the pool's, else the stack's default override, else the source's; null when unknown. */
  instanceClass: string | null;
  /** The drivers of the hourly bill, in plain sight. */
  cost: { instanceClass: string | null; members: number; description: string };
}

/** The class the pool's members run on, as far as the configuration and the members' records say. */
function configuredClass(rt: PoolsRuntime, pool: PoolMembers): string | undefined {
  const memberClass = [...pool.ready, ...pool.warming, ...pool.leaving].find(
    (member) => member.overrides.instanceClass,
  )?.overrides.instanceClass;
  return (
    pool.config?.instanceClass ?? memberClass ?? rt.env.policy.defaultOverrides.instanceClass ?? undefined
  );
}

/** The source's own class (what members without an override run on); undefined when it is gone. */
async function sourceClass(rt: PoolsRuntime, sourceId: string): Promise<string | undefined> {
  try {
    return (await rt.engines.resolve(sourceId)).source.instanceClass;
  } catch (error) {
    if (error instanceof SourceNotFoundError) return undefined;
    throw error;
  }
}

async function viewOf(rt: PoolsRuntime, pool: PoolMembers, now: Date): Promise<PoolView> {
  const instanceClass = configuredClass(rt, pool) ?? (await sourceClass(rt, pool.source)) ?? null;
  const running = [...pool.ready, ...pool.warming];
  const oldestMs = Math.max(...running.map((member) => memberAgeMs(member, now)));
  const cost = {
    instanceClass,
    members: running.length,
    description: poolCostDescription({
      instanceClass: instanceClass ?? undefined,
      members: running.length,
      size: pool.config?.size,
      leaving: pool.leaving.length,
    }),
  };
  return {
    source: pool.source,
    configured: pool.config !== undefined,
    size: pool.config?.size ?? 0,
    ready: pool.ready.length,
    warming: pool.warming.length,
    leaving: pool.leaving.length,
    oldestMemberAgeMinutes: running.length ? Math.max(0, Math.floor(oldestMs / 60_000)) : null,
    maxAgeHours: pool.config?.maxAgeHours ?? null,
    instanceClass,
    cost,
  };
}

export async function listPools(rt: PoolsRuntime): Promise<PoolView[]> {
  const pools = poolMembers(rt.env.policy.pools, await rt.store.pools.members());
  const now = rt.now();
  return Promise.all(pools.map((pool) => viewOf(rt, pool, now)));
}

export async function listPoolsRoute(request: ApiRequest, rt: PoolsRuntime): Promise<ApiResponse> {
  parseQuery(request, z.strictObject({}));
  return { statusCode: 200, body: { pools: await listPools(rt) } };
}
