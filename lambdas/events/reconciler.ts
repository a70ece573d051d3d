import type { ForkRecord, ForkStep } from '../core/fork.js';
import { isLive } from '../core/fork.js';
import { lazyRuntime } from '../core/runtime-assembly.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { teardownDatabase } from '../steps/fork-engine.js';
import { step as markDeleting } from '../steps/mark-deleting.js';
import { step as markFailed } from '../steps/mark-failed.js';
import { type ManagedResource, scanManagedResources } from './managed-resources.js';

/**
 * The reconciler (DESIGN.md §2), run on a schedule: the safety net under the expiry schedules and
 * the workflows. Each run
 *  1. starts the delete workflow of every live fork whose `expiresAt` passed (a lost or failed
 *     schedule), and restarts the delete of a `deleting` fork whose workflow stopped progressing;
 *  2. fails forks stuck in a create step past that step's timeout: the create's own cleanup path
 *     (mark-deleting in cleanup mode → teardown → mark-failed) run in-process, error code `stuck`;
 *  3. removes orphans: resources tagged `dbfork:managed=true` whose fork has no live record, or whose
 *     `dbfork:expires-at` tag is past plus a grace period, through the same tag-guarded teardown
 *     functions the delete steps call.
 * It only ever acts on resources found by their tags, and every destructive call re-checks the tags
 * on the live resource (`assertManagedBy` inside the engines and ForkSecrets).
 */

/** What the reconciler touches: every kind of resource a fork has. */
export const RECONCILER_PARTS = [
  parts.aws,
  parts.store,
  parts.engines,
  parts.events,
  parts.dns,
  parts.secrets,
  parts.schedules,
  parts.workflows,
  parts.metrics,
] as const;
export type ReconcilerRuntime = RuntimeWith<(typeof RECONCILER_PARTS)[number]['service']>;

/** Minutes a fork may sit in one step (its `updatedAt` unchanged) before it counts as stuck. */
export const STUCK_AFTER_MINUTES: Partial<Record<ForkStep, number>> & { default: number } = {
  default: 60,
  // Waits after these steps have budgets of 180-240 min (lambdas/steps/step.ts WAIT_BUDGET_MINUTES).
  'snapshotting-source': 300,
  restoring: 240,
  'creating-instances': 240,
  'rotating-credentials': 240,
  'cleaning-up': 180,
  // A delete waits up to 90 min for the database to go.
  'deleting-database': 150,
};

export interface ReconcilerOptions {
  /** Minutes past `dbfork:expires-at` before a tagged resource of a gone fork is an orphan. @default 60 */
  orphanGraceMinutes?: number;
  /** Minutes past `expiresAt` before a live fork counts as expired here (the schedule fires first). @default 5 */
  expiredGraceMinutes?: number;
  stuckAfterMinutes?: Partial<Record<ForkStep, number>>;
  /** The clock of this run. @default rt.now */
  now?: () => Date;
}

export interface ReconcileAction {
  forkId: string;
  action: string;
  detail?: string;
}

export interface ReconcileSummary {
  expired: ReconcileAction[];
  orphans: ReconcileAction[];
  stuck: ReconcileAction[];
  errors: ReconcileAction[];
}

export const STUCK_ERROR_CODE = 'stuck';

const minutes = (n: number) => n * 60_000;

function stuckTimeout(step: ForkStep, options: ReconcilerOptions): number {
  return options.stuckAfterMinutes?.[step] ?? STUCK_AFTER_MINUTES[step] ?? STUCK_AFTER_MINUTES.default;
}

/** Seconds of a time, for delete execution names that change only when the fork moved on. */
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Every fork in one status (paged through the byStatus index). */
async function forksIn(rt: ReconcilerRuntime, status: 'creating' | 'deleting'): Promise<ForkRecord[]> {
  const out: ForkRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await rt.store.list({ status, limit: 100, ...(nextToken ? { nextToken } : {}) });
    out.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** A fork id that has no record at all: enough of a record for `teardownDatabase` to try every engine. */
function pseudoRecord(forkId: string): ForkRecord {
  // No source: every engine is asked. fresh-snapshot: the `<id>-source` snapshot is removed too.
  return { id: forkId, restore: { requested: { type: 'fresh-snapshot' } } } as unknown as ForkRecord;
}

/**
 * Removes everything of a fork with the teardown functions of the delete steps, each tag-guarded and
 * idempotent. True once the database is gone (and the secret and schedule were removed after it).
 */
export async function teardownFork(fork: ForkRecord, rt: ReconcilerRuntime): Promise<boolean> {
  if (fork.endpoint && fork.dnsName) await rt.dns.removeIfPointsTo(fork.dnsName, fork.endpoint.host);
  if (!(await teardownDatabase(fork, rt))) return false;
  await rt.secrets.delete(fork.id);
  await rt.schedules.delete(fork.id, rt.env.schedulerGroupName);
  return true;
}

export function createReconciler(rt: ReconcilerRuntime, options: ReconcilerOptions = {}) {
  const now = options.now ?? rt.now;
  const logger = rt.logger.createChild({ persistentKeys: { component: 'reconciler' } });

  return async function reconcile(): Promise<ReconcileSummary> {
    const at = now();
    const summary: ReconcileSummary = { expired: [], orphans: [], stuck: [], errors: [] };
    const handled = new Set<string>();
    const attempt = async (
      list: ReconcileAction[],
      forkId: string,
      action: string,
      work: () => Promise<string | undefined>,
    ) => {
      handled.add(forkId);
      try {
        const detail = await work();
        list.push({ forkId, action, ...(detail ? { detail } : {}) });
      } catch (error) {
        const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        summary.errors.push({ forkId, action, detail });
        logger.warn('reconcile action failed', { forkId, action, error: detail });
      }
    };

    // 1. Expired but alive: the expiry schedule was lost or failed.
    const expiredBefore = new Date(at.getTime() - minutes(options.expiredGraceMinutes ?? 5)).toISOString();
    for (const fork of await rt.store.listExpired(expiredBefore)) {
      if (fork.status === 'deleting') continue; // a stalled delete is restarted below
      await attempt(summary.expired, fork.id, 'start-delete', async () => {
        await rt.workflows.startDelete(fork.id, 'reconcile');
        return `expired at ${fork.expiresAt}`;
      });
    }

    // A delete whose workflow died: restart it. The execution name carries the time of the fork's
    // last move, so a rerun of this reconcile is a no-op and a later stall gets a new execution.
    for (const fork of await forksIn(rt, 'deleting')) {
      if (handled.has(fork.id)) continue;
      if (at.getTime() - Date.parse(fork.updatedAt) < minutes(stuckTimeout(fork.step, options))) continue;
      await attempt(summary.stuck, fork.id, 'restart-delete', async () => {
        await rt.workflows.startDelete(fork.id, `reconcile-${epochSeconds(fork.updatedAt)}`);
        return `no progress since ${fork.updatedAt} at ${fork.step}`;
      });
    }

    // 2. Stuck creates: cleaned up and failed with code `stuck`; a cleanup the reconciler began
    //    (error.code stuck) is continued on every run until the database is gone.
    for (const fork of await forksIn(rt, 'creating')) {
      if (handled.has(fork.id)) continue;
      const ours = fork.step === 'cleaning-up' && fork.error?.code === STUCK_ERROR_CODE;
      const idle = at.getTime() - Date.parse(fork.updatedAt);
      if (!ours && idle < minutes(stuckTimeout(fork.step, options))) continue;
      await attempt(summary.stuck, fork.id, 'fail', async () => {
        if (fork.step !== 'cleaning-up') {
          await markDeleting.run(
            {
              forkId: fork.id,
              mode: 'cleanup',
              error: {
                Error: STUCK_ERROR_CODE,
                Cause: `no progress for ${Math.round(idle / 60_000)} minutes at step ${fork.step}; cleaned up by the reconciler`,
              },
            },
            rt,
          );
        }
        const current = await rt.store.mustGet(fork.id);
        if (!(await teardownFork(current, rt))) return 'cleanup started; waiting for the database to go';
        await markFailed.run({ forkId: fork.id }, rt);
        return `was at ${fork.step} since ${fork.updatedAt}`;
      });
    }

    // 3. Orphans: tagged resources of forks without a live record (or long past their expiry tag).
    const byFork = new Map<string, ManagedResource[]>();
    for (const resource of await scanManagedResources(rt.aws, rt.env.schedulerGroupName)) {
      if (handled.has(resource.forkId)) continue;
      byFork.set(resource.forkId, [...(byFork.get(resource.forkId) ?? []), resource]);
    }
    const grace = minutes(options.orphanGraceMinutes ?? 60);
    for (const [forkId, resources] of byFork) {
      const record = await rt.store.get(forkId);
      const what = resources.map((r) => `${r.type} ${r.id}`).join(', ');
      if (record && isLive(record.status)) {
        // The record is the truth for a live fork (an extension does not retag its resources): an
        // expired one was handled in 1; a tag long past its time on an unexpired record is only logged.
        const stale = resources.some((r) => r.expiresAt && Date.parse(r.expiresAt) + grace < at.getTime());
        if (stale && Date.parse(record.expiresAt) < at.getTime()) {
          await attempt(summary.orphans, forkId, 'start-delete', async () => {
            await rt.workflows.startDelete(forkId, 'reconcile');
            return what;
          });
        }
        continue;
      }
      await attempt(summary.orphans, forkId, 'teardown', async () => {
        const gone = await teardownFork(record ?? pseudoRecord(forkId), rt);
        const state = record ? `record ${record.status}` : 'no record';
        return `${state}: ${what}${gone ? '' : ' (database still going)'}`;
      });
    }

    rt.metrics.reconciled({
      expired: summary.expired.length,
      orphans: summary.orphans.length,
      stuck: summary.stuck.length,
      errors: summary.errors.length,
    });
    logger.info('reconcile finished', {
      at: at.toISOString(),
      expired: summary.expired.length,
      orphans: summary.orphans.length,
      stuck: summary.stuck.length,
      errors: summary.errors.length,
      summary,
    });
    return summary;
  };
}

function envMinutes(name: string): number | undefined {
  const raw = process.env[name];
  const value = raw ? Number(raw) : Number.NaN;
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

const runtime = lazyRuntime(RECONCILER_PARTS);

/** The scheduled Lambda's entry point (EventBridge rule; the event itself carries nothing we need). */
export async function handler(): Promise<ReconcileSummary> {
  const grace = envMinutes('DBFORK_ORPHAN_GRACE_MINUTES');
  return createReconciler(runtime(), grace ? { orphanGraceMinutes: grace } : {})();
}
