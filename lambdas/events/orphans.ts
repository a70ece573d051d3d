import type { ForkRecord } from '../core/fork.js';
import { isLive } from '../core/fork.js';
import { claimedDatabases, databasesOf } from '../core/fork-databases.js';
import type { ManagedResource } from '../core/managed-resources.js';
import type { RuntimeWith } from '../core/runtime-types.js';

/**
 * Which tagged resources are orphans: those of a fork with no live record, and the databases a
 * live fork no longer claims. A live record is the truth (an extension does not retag its
 * resources; an expired live fork is the fork sweep's: it starts its delete), so its secret,
 * schedules and the databases it claims (the serving one, and the new one of a refresh in
 * progress: lambdas/core/fork-databases.ts) are never touched here; a database of a live fork that
 * it does not claim is one a refresh replaced, or built and then failed, and whose removal did not
 * finish. A fork whose record is gone, failed or deleted has nothing that should still exist.
 */
export interface OrphanedFork {
  forkId: string;
  /** The fork's record when there is one (live, failed or deleted). */
  record: ForkRecord | undefined;
  resources: ManagedResource[];
  /** The databases to remove (with the source snapshots they were restored from). */
  databaseIds: string[];
}

const DATABASE_TYPES = new Set<ManagedResource['type']>(['db-instance', 'db-cluster']);
const SNAPSHOT_TYPES = new Set<ManagedResource['type']>(['db-snapshot', 'db-cluster-snapshot']);

/** The fork database a resource is (a database) or was restored with (its `<database>-source` snapshot). */
function databaseOf(resource: ManagedResource): string | undefined {
  if (DATABASE_TYPES.has(resource.type)) return resource.id;
  if (SNAPSHOT_TYPES.has(resource.type) && resource.id.endsWith('-source')) {
    return resource.id.slice(0, -'-source'.length);
  }
  return undefined;
}

export async function orphanedForks(
  resources: readonly ManagedResource[],
  rt: RuntimeWith<'store'>,
): Promise<OrphanedFork[]> {
  const byFork = new Map<string, ManagedResource[]>();
  for (const resource of resources) {
    byFork.set(resource.forkId, [...(byFork.get(resource.forkId) ?? []), resource]);
  }
  const out: OrphanedFork[] = [];
  for (const [forkId, owned] of byFork) {
    const record = await rt.store.get(forkId);
    if (record && isLive(record.status)) {
      const claimed = new Set(claimedDatabases(record));
      const unclaimed = owned.filter((r) => {
        const databaseId = databaseOf(r);
        return databaseId !== undefined && !claimed.has(databaseId);
      });
      if (unclaimed.length === 0) continue;
      const databaseIds = [...new Set(unclaimed.flatMap((r) => databaseOf(r) ?? []))];
      out.push({ forkId, record, resources: unclaimed, databaseIds });
      continue;
    }
    const found = owned.flatMap((r) => databaseOf(r) ?? []);
    const known = record ? databasesOf(record) : [];
    out.push({ forkId, record, resources: owned, databaseIds: [...new Set([...known, ...found])] });
  }
  return out;
}

/** What an orphan sweep reports for a fork: its record's state and what was found. */
export function describeOrphan(orphan: OrphanedFork): string {
  const state = orphan.record
    ? `record ${orphan.record.status}${isLive(orphan.record.status) ? ' (not its database)' : ''}`
    : 'no record';
  return `${state}: ${orphan.resources.map((r) => `${r.type} ${r.id}`).join(', ')}`;
}

/** A fork id that has no record at all: enough of a record for `teardownDatabase` to try every engine. */
export function pseudoRecord(forkId: string): ForkRecord {
  // No source: every engine is asked. fresh-snapshot: the `<id>-source` snapshot is removed too.
  return { id: forkId, restore: { requested: { type: 'fresh-snapshot' } } } as unknown as ForkRecord;
}
