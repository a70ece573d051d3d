import { type ForkRecord, STEPS } from './fork.js';
import { type PoolConfig, poolOf } from './pool-config.js';

/**
 * What each warm pool holds now, from its members' records (lambdas/core/pool-records.ts): what
 * the pool keeper acts on and `GET /v1/pools` shows.
 */
export interface PoolMembers {
  source: string;
  /** The configured pool; undefined for members of a pool no longer configured (being drained). */
  config?: PoolConfig;
  /** Parked, claimable. */
  ready: ForkRecord[];
  /** Still being restored (or their credentials scrambled). */
  warming: ForkRecord[];
  /** Retired or failed, being torn down. */
  leaving: ForkRecord[];
}

/** Members by pool: every configured pool (empty ones too), then the sources of drained pools. */
export function poolMembers(pools: readonly PoolConfig[], members: readonly ForkRecord[]): PoolMembers[] {
  const bySource = new Map<string, PoolMembers>();
  const entry = (source: string) => {
    let found = bySource.get(source);
    if (!found) {
      const config = poolOf(pools, source);
      found = { source, ...(config ? { config } : {}), ready: [], warming: [], leaving: [] };
      bySource.set(source, found);
    }
    return found;
  };
  for (const pool of pools) entry(pool.source);
  const oldestFirst = [...members].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const member of oldestFirst) {
    if (!member.pool) continue;
    const pool = entry(member.pool.source);
    if (member.step === 'pooled') pool.ready.push(member);
    else if (STEPS[member.step].order < STEPS.pooled.order) pool.warming.push(member);
    else pool.leaving.push(member);
  }
  return [...bySource.values()];
}

/** A member's age: since its restore began. */
export function memberAgeMs(member: ForkRecord, now: Date): number {
  return now.getTime() - Date.parse(member.createdAt);
}
