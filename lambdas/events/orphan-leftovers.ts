import { isLive } from '../core/fork.js';
import { endpointHostsOf } from '../core/fork-databases.js';
import { lazyRuntime } from '../core/runtime-assembly.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { traced } from '../core/tracing.js';
import { describeOrphan, orphanedForks } from './orphans.js';
import { type ReconcileSummary, startSweep } from './reconcile-sweep.js';

/**
 * The reconciler's orphan sweep of what a fork has besides its database: `dbfork/*` secrets tagged
 * `dbfork:managed=true` and the schedules in dbfork's own group, of forks with no live record; and
 * the DNS name such a fork's record still names, removed only while it points at that fork's
 * endpoint. Independent of the database sweep: a fork without a live record is handed to nobody,
 * so its secret may go before its database does.
 */
export const ORPHAN_LEFTOVERS_PARTS = [
  parts.store,
  parts.dns,
  parts.secrets,
  parts.schedules,
  parts.managedLeftovers,
  parts.metrics,
] as const;
export type OrphanLeftoversRuntime = RuntimeWith<(typeof ORPHAN_LEFTOVERS_PARTS)[number]['service']>;

export function createLeftoverSweep(rt: OrphanLeftoversRuntime, options: { now?: () => Date } = {}) {
  const now = options.now ?? rt.now;
  return async function sweepLeftovers(): Promise<ReconcileSummary> {
    const at = now();
    const sweep = startSweep(rt, 'leftovers');
    for (const orphan of await orphanedForks(await rt.managedLeftovers.scan(), rt)) {
      // A live fork's secret and schedules are its own (orphans.ts only hands back its databases).
      if (orphan.record && isLive(orphan.record.status)) continue;
      await sweep.attempt(sweep.summary.orphans, orphan.forkId, 'teardown-leftovers', async () => {
        const { record } = orphan;
        if (record?.dnsName) {
          for (const host of endpointHostsOf(record)) await rt.dns.removeIfPointsTo(record.dnsName, host);
        }
        // Both are tag-guarded and idempotent (a missing secret or schedule is success).
        await rt.secrets.delete(orphan.forkId);
        await rt.schedules.deleteAll(orphan.forkId, rt.env.schedulerGroupName);
        return describeOrphan(orphan);
      });
    }
    return sweep.finish(at);
  };
}

const runtime = lazyRuntime(ORPHAN_LEFTOVERS_PARTS);

/** The scheduled Lambda's entry point (the reconciler's EventBridge rule; the event carries nothing we need). */
export const handler = traced(
  'orphan-leftovers',
  (): Promise<ReconcileSummary> => createLeftoverSweep(runtime())(),
);
