/**
 * pool: time to `ready` of a fork that takes a warm-pool member vs one restored cold, on the
 * faithful emulator with its default delays (every transition — restore, password reset, … —
 * takes what `npm run local` gives it), through the offline API as a user would: POST /v1/forks,
 * then the fork's readyAt.
 *
 * The same request for the same RDS source in two runtimes that differ only in their pools:
 * - cold: no pool, so every create restores the latest backup;
 * - claim: a pool of that source. Before each timed create the pool is full and every member
 *   parked, so the create claims one (and only rotates credentials, writes the secret, the DNS
 *   name and the expiry) rather than falling back to a restore; the reconciler's short tick
 *   refills the pool between creates.
 * Each fork's answer must say where it came from (`restore.pool`): set for every claim, absent for
 * every cold one, else the figure fails. One warm-up fork per runtime is not counted.
 */
import type { ForkRecord } from '../lambdas/core/fork.js';
import { parsePoolsSpec } from '../lambdas/core/pool-config.js';
import { poolMembers } from '../lambdas/core/pool-state.js';
import type { MotoServer } from '../local/moto-server.js';
import {
  BENCH_SOURCE,
  type BenchOffline,
  benchPrincipal,
  callApi,
  createExecution,
  type ForkAnswer,
  startBenchOffline,
} from './offline-runtime.js';
import type { PoolFigure } from './results.js';
import { percentile, ratio } from './stats.js';

/**
 * The faithful emulator's default delay per transition (DEFAULT_DELAY_MS of
 * local/moto/faithful/config.py, what `npm run local` runs with); a unit test keeps them equal.
 */
export const EMULATOR_DEFAULT_DELAY_MS = 3000;

export interface PoolOptions {
  /** Timed creates per runtime (after one warm-up). */
  forks: number;
  /** Members the pool keeps. */
  poolSize: number;
  /** The reconciler's tick, which refills the pool (both runtimes run it alike). */
  reconcileMs: number;
  /** How long a pool may take to be full and parked again. */
  refillTimeoutMs: number;
}

type Mode = 'cold' | 'claim';

/** The figure from the timed creates of both runtimes; ratio = claim p95 / cold p95. */
export function poolFigure(claimMs: readonly number[], coldMs: readonly number[]): PoolFigure {
  const claimP95 = percentile(claimMs, 95);
  const coldP95 = percentile(coldMs, 95);
  return {
    claimMs: { p50: percentile(claimMs, 50), p95: claimP95 },
    coldMs: { p50: percentile(coldMs, 50), p95: coldP95 },
    n: Math.min(claimMs.length, coldMs.length),
    ratio: ratio(claimP95, coldP95),
  };
}

export async function measurePool(moto: MotoServer, options: PoolOptions): Promise<PoolFigure> {
  const coldMs = await timedCreates(moto, 'cold', options);
  const claimMs = await timedCreates(moto, 'claim', options);
  return poolFigure(claimMs, coldMs);
}

async function timedCreates(moto: MotoServer, mode: Mode, options: PoolOptions): Promise<number[]> {
  const live = options.forks + 1;
  const bench = await startBenchOffline(moto, {
    quotas: { maxLiveForksPerOwner: live, maxLiveForksPerSource: live },
    // Wait states (the safety-net heartbeats of the event-driven waits) as the offline mode's default.
    reconcileMs: options.reconcileMs,
    emulator: { delayMs: EMULATOR_DEFAULT_DELAY_MS },
    pools: mode === 'claim' ? parsePoolsSpec(`${BENCH_SOURCE}=${options.poolSize}`) : [],
    // Only pool members run at the end (parked, or a refill restoring): nothing to wait for.
    drainMs: 0,
  });
  try {
    const times: number[] = [];
    for (let i = 0; i <= options.forks; i++) {
      if (mode === 'claim') await poolParked(bench, options);
      const ms = await timeToReady(bench, mode, `pool-${mode}-${i}`);
      if (i > 0) times.push(ms); // i = 0 warms up: first claim, first SDK calls of this runtime
    }
    return times;
  } finally {
    await bench.stop();
  }
}

/** POST /v1/forks → readyAt, checking that the fork took a member exactly when `mode` is claim. */
async function timeToReady(bench: BenchOffline, mode: Mode, name: string): Promise<number> {
  const principal = benchPrincipal(0);
  const started = Date.now();
  const created = await callApi<ForkAnswer>(bench.mode.apiUrl, 'POST', '/v1/forks', {
    body: { source: bench.sourceId, name, ttlHours: 1 },
    principal,
  });
  if (created.status !== 202 || !created.body.id) {
    throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
  }
  const execution = createExecution(bench.mode, created.body.id);
  await execution.done;
  const fork = await callApi<ForkAnswer>(bench.mode.apiUrl, 'GET', `/v1/forks/${created.body.id}`, {
    principal,
  });
  if (fork.body.status !== 'ready' || !fork.body.readyAt) {
    throw new Error(`fork ${created.body.id} ended ${fork.body.status}: ${JSON.stringify(execution.error)}`);
  }
  const fromPool = fork.body.restore?.pool !== undefined;
  if (fromPool !== (mode === 'claim')) {
    throw new Error(
      `${mode} fork ${created.body.id} ${fromPool ? 'took a pool member' : 'took no pool member'} (restore.pool ${JSON.stringify(fork.body.restore?.pool)})`,
    );
  }
  return Date.parse(fork.body.readyAt) - started;
}

/** Resolves once the source's pool is full and every member parked (claimable), none warming. */
async function poolParked(bench: BenchOffline, options: PoolOptions): Promise<void> {
  const { runtime } = bench.mode;
  const deadline = Date.now() + options.refillTimeoutMs;
  let last: { ready: ForkRecord[]; warming: ForkRecord[]; leaving: ForkRecord[] } | undefined;
  while (Date.now() < deadline) {
    const members = await runtime.store.pools.members();
    last = poolMembers(runtime.env.policy.pools, members).find((p) => p.source === bench.sourceId);
    if (last && last.ready.length >= options.poolSize && last.warming.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const count = (members: ForkRecord[] | undefined) =>
    (members ?? []).map((m) => `${m.id} ${m.step}`).join(', ') || 'none';
  throw new Error(
    `the pool of ${bench.sourceId} was not full and parked within ${options.refillTimeoutMs} ms (ready: ${count(last?.ready)}; warming: ${count(last?.warming)}; leaving: ${count(last?.leaving)})`,
  );
}
