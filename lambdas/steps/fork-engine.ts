import type { EngineStrategy } from '../core/engines/engine.js';
import type { ForkRecord } from '../core/fork.js';
import { databasesOf, freshSnapshotOf } from '../core/fork-databases.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { refreshTeardownTarget } from './database-target.js';
import type { WorkflowState } from './step.js';

/**
 * Deletes the fork's databases (the serving one and any a refresh made: lambdas/core/fork-databases.ts)
 * and the source snapshots they were restored from; asks again on every call (a delete can stall on
 * a state change). True once all are gone.
 */
export async function teardownDatabase(fork: ForkRecord, rt: RuntimeWith<'engines'>): Promise<boolean> {
  return teardownDatabases(fork, databasesOf(fork), rt);
}

/** Deletes these databases of the fork (tag-guarded: each must carry the fork's id) and their snapshots. */
export async function teardownDatabases(
  fork: ForkRecord,
  databaseIds: readonly string[],
  rt: RuntimeWith<'engines'>,
): Promise<boolean> {
  let gone = true;
  for (const engine of forkEngines(fork, rt)) {
    for (const databaseId of databaseIds) {
      await engine.deleteFork(databaseId, fork.id);
      if (await engine.describeFork(databaseId)) gone = false;
      const snapshotId = freshSnapshotOf(fork, databaseId);
      if (snapshotId && !(await engine.deleteSnapshot(snapshotId, fork.id))) gone = false;
    }
  }
  return gone;
}

/** Engines that may hold this fork's database: its own, or every one if resolution never finished. */
export function forkEngines(fork: ForkRecord, rt: RuntimeWith<'engines'>): EngineStrategy[] {
  return fork.source ? [rt.engines.get(fork.source.kind)] : rt.engines.all();
}

/**
 * What a teardown deletes: in DeleteFork and a create's cleanup every database of the fork; in
 * RefreshFork only the one the refresh removes (its new one after a failure, the one it replaced
 * after the switch), never the one serving the fork.
 */
export function tearDown(
  fork: ForkRecord,
  state: WorkflowState,
  rt: RuntimeWith<'engines'>,
): Promise<boolean> {
  if (!state.refresh) return teardownDatabase(fork, rt);
  return teardownDatabases(fork, [refreshTeardownTarget(fork, state.refresh)], rt);
}
