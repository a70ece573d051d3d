import type { Runtime } from '../core/runtime-types.js';
import { createDatabaseSweep } from './orphan-databases.js';
import { createLeftoverSweep } from './orphan-leftovers.js';
import { createPoolKeeper } from './pool-keeper.js';
import { mergeSummaries, type ReconcileSummary } from './reconcile-sweep.js';
import { createReconciler, type ReconcilerOptions } from './reconciler.js';

/**
 * All three reconciler sweeps on one runtime, as the stack's rule runs them (side by side), with
 * their summaries merged: for the offline runtime's ticker and for tests. Not a Lambda: on AWS each
 * sweep is its own function with only its own clients.
 */
export function createFullReconcile(rt: Runtime, options: ReconcilerOptions = {}) {
  const now = options.now ? { now: options.now } : {};
  const sweeps = [createReconciler(rt, options), createDatabaseSweep(rt, now), createLeftoverSweep(rt, now)];
  const keepPools = createPoolKeeper(rt, now);
  return async function reconcileAll(): Promise<ReconcileSummary> {
    const [summaries, keeping] = await Promise.all([
      Promise.all(sweeps.map((sweep) => sweep())),
      keepPools(),
    ]);
    const merged = mergeSummaries(summaries);
    // The keeper's routine work is no finding; what it could not do is.
    for (const error of keeping.errors) {
      merged.errors.push({ forkId: error.forkId, action: `pool-${error.action}`, detail: error.detail });
    }
    return merged;
  };
}
