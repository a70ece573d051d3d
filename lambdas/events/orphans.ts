import type { ForkRecord } from '../core/fork.js';
import { isLive } from '../core/fork.js';
import type { ManagedResource } from '../core/managed-resources.js';
import type { RuntimeWith } from '../core/runtime-types.js';

/**
 * Which tagged resources are orphans: those of a fork with no live record. A live record is the
 * truth (an extension does not retag its resources; an expired live fork is the fork sweep's: it
 * starts its delete), so its resources are never touched here. A fork whose record is gone, failed
 * or deleted has nothing that should still exist.
 */
export interface OrphanedFork {
  forkId: string;
  /** The fork's record when there is one (failed or deleted). */
  record: ForkRecord | undefined;
  resources: ManagedResource[];
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
    if (record && isLive(record.status)) continue;
    out.push({ forkId, record, resources: owned });
  }
  return out;
}

/** What an orphan sweep reports for a fork: its record's state and what was found. */
export function describeOrphan(orphan: OrphanedFork): string {
  const state = orphan.record ? `record ${orphan.record.status}` : 'no record';
  return `${state}: ${orphan.resources.map((r) => `${r.type} ${r.id}`).join(', ')}`;
}

/** A fork id that has no record at all: enough of a record for `teardownDatabase` to try every engine. */
export function pseudoRecord(forkId: string): ForkRecord {
  // No source: every engine is asked. fresh-snapshot: the `<id>-source` snapshot is removed too.
  return { id: forkId, restore: { requested: { type: 'fresh-snapshot' } } } as unknown as ForkRecord;
}
