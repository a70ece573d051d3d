import { lazyRuntime } from '../core/runtime-assembly.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { traced } from '../core/tracing.js';
import { teardownDatabases } from '../steps/fork-engine.js';
import { describeOrphan, orphanedForks, pseudoRecord } from './orphans.js';
import { type ReconcileSummary, startSweep } from './reconcile-sweep.js';

/**
 * The reconciler's orphan sweep of databases (DESIGN.md §2, invariant 2): DB instances, clusters
 * and manual snapshots tagged `dbfork:managed=true` whose fork has no live record, or that a live
 * fork does not claim (what a refresh replaced or failed to build: orphans.ts), are removed with
 * the delete step's own teardown, which re-checks the tags on the live resource before every
 * destructive call. Idempotent: a database already going is asked again and counts once it is gone.
 */
export const ORPHAN_DATABASES_PARTS = [
  parts.store,
  parts.engines,
  parts.managedDatabases,
  parts.metrics,
] as const;
export type OrphanDatabasesRuntime = RuntimeWith<(typeof ORPHAN_DATABASES_PARTS)[number]['service']>;

export function createDatabaseSweep(rt: OrphanDatabasesRuntime, options: { now?: () => Date } = {}) {
  const now = options.now ?? rt.now;
  return async function sweepDatabases(): Promise<ReconcileSummary> {
    const at = now();
    const sweep = startSweep(rt, 'databases');
    for (const orphan of await orphanedForks(await rt.managedDatabases.scan(), rt)) {
      await sweep.attempt(sweep.summary.orphans, orphan.forkId, 'teardown-database', async () => {
        const record = orphan.record ?? pseudoRecord(orphan.forkId);
        const gone = await teardownDatabases(record, orphan.databaseIds, rt);
        return `${describeOrphan(orphan)}${gone ? '' : ' (database still going)'}`;
      });
    }
    return sweep.finish(at);
  };
}

const runtime = lazyRuntime(ORPHAN_DATABASES_PARTS);

/** The scheduled Lambda's entry point (the reconciler's EventBridge rule; the event carries nothing we need). */
export const handler = traced(
  'orphan-databases',
  (): Promise<ReconcileSummary> => createDatabaseSweep(runtime())(),
);
