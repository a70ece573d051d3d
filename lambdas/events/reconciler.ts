import type { ForkRecord, ForkStep } from '../core/fork.js';
import { lazyRuntime } from '../core/runtime-assembly.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { traced } from '../core/tracing.js';
import { minutes, type ReconcileSummary, startSweep } from './reconcile-sweep.js';

export type { ReconcileAction, ReconcileSummary } from './reconcile-sweep.js';

/**
 * The reconciler (DESIGN.md §2), run on a schedule: the safety net under the expiry schedules and
 * the workflows. Three sweeps run side by side on the same rule, each a Lambda of its own with only
 * the clients it needs: this one, over the fork records, and the orphan sweeps of databases
 * (orphan-databases.ts) and of secrets, schedules and DNS names (orphan-leftovers.ts). This one
 * only starts workflows; every teardown runs as a DeleteFork execution, whose steps are tag-guarded:
 *  1. starts the delete of every live fork whose `expiresAt` passed (a lost or failed schedule),
 *     and restarts the delete of a `deleting` fork whose workflow stopped progressing;
 *  2. hands a fork stuck in a create step past that step's timeout to DeleteFork in cleanup mode:
 *     the create's own cleanup (mark-deleting in cleanup mode → teardown → mark-failed), error code
 *     `stuck`; a cleanup that stalls in turn is restarted the same way;
 *  3. hands a refresh that stopped making progress before its switch ended to RefreshFork in
 *     `abandon` mode (its undo → removal of the new database → refresh failed, error `stuck`), and
 *     ends one that stopped after it (`retiring`: the new database serves the fork) as succeeded;
 *     the database it replaced, which no live fork claims, is the orphan sweep's.
 */
export const RECONCILER_PARTS = [parts.store, parts.listing, parts.workflows, parts.metrics] as const;
export type ReconcilerRuntime = RuntimeWith<(typeof RECONCILER_PARTS)[number]['service']>;

/** Minutes a fork may sit in one step (its `updatedAt` unchanged) before it counts as stuck. */
export const STUCK_AFTER_MINUTES: Partial<Record<ForkStep, number>> & { default: number } = {
  default: 60,
  // Waits after these steps have budgets of 180-240 min (lambdas/steps/step.ts WAIT_BUDGET_MINUTES).
  'snapshotting-source': 300,
  restoring: 240,
  'creating-instances': 240,
  'rotating-credentials': 240,
  'scrambling-credentials': 240,
  // A parked pool member waits for a claim for hours by design; the pool keeper retires it.
  pooled: Number.POSITIVE_INFINITY,
  'cleaning-up': 180,
  // A delete waits up to 90 min for the database to go.
  'deleting-database': 150,
};

export interface ReconcilerOptions {
  /** Minutes past `expiresAt` before a live fork counts as expired here (the schedule fires first). @default 5 */
  expiredGraceMinutes?: number;
  stuckAfterMinutes?: Partial<Record<ForkStep, number>>;
  /** @default REFRESH_STUCK_AFTER_MINUTES */
  refreshStuckAfterMinutes?: number;
  /** The clock of this run. @default rt.now */
  now?: () => Date;
}

export const STUCK_ERROR_CODE = 'stuck';

function stuckTimeout(step: ForkStep, options: ReconcilerOptions): number {
  return options.stuckAfterMinutes?.[step] ?? STUCK_AFTER_MINUTES[step] ?? STUCK_AFTER_MINUTES.default;
}

/** Seconds of a time, for delete execution names that change only when the fork moved on. */
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Minutes a refresh may make no progress (the fork's `updatedAt` unchanged) before it counts as stuck. */
export const REFRESH_STUCK_AFTER_MINUTES = 300;

/** Every fork in one status (paged through the byStatus index). */
async function forksIn(
  rt: ReconcilerRuntime,
  status: 'creating' | 'deleting' | 'ready',
): Promise<ForkRecord[]> {
  const out: ForkRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await rt.listing.list({
      status,
      limit: 100,
      poolMembers: true,
      ...(nextToken ? { nextToken } : {}),
    });
    out.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

export function createReconciler(rt: ReconcilerRuntime, options: ReconcilerOptions = {}) {
  const now = options.now ?? rt.now;

  return async function reconcile(): Promise<ReconcileSummary> {
    const at = now();
    const sweep = startSweep(rt, 'forks');
    const { summary, handled } = sweep;

    // 1. Expired but alive: the expiry schedule was lost or failed.
    const expiredBefore = new Date(at.getTime() - minutes(options.expiredGraceMinutes ?? 5)).toISOString();
    for (const fork of await rt.listing.listExpired(expiredBefore)) {
      if (fork.status === 'deleting') continue; // a stalled delete is restarted below
      await sweep.attempt(summary.expired, fork.id, 'start-delete', async () => {
        await rt.workflows.startDelete(fork.id, 'reconcile');
        return `expired at ${fork.expiresAt}`;
      });
    }

    // A delete whose workflow died: restart it. The execution name carries the time of the fork's
    // last move, so a rerun of this reconcile is a no-op and a later stall gets a new execution.
    for (const fork of await forksIn(rt, 'deleting')) {
      if (handled.has(fork.id)) continue;
      if (at.getTime() - Date.parse(fork.updatedAt) < minutes(stuckTimeout(fork.step, options))) continue;
      await sweep.attempt(summary.stuck, fork.id, 'restart-delete', async () => {
        await rt.workflows.startDelete(fork.id, `reconcile-${epochSeconds(fork.updatedAt)}`);
        return `no progress since ${fork.updatedAt} at ${fork.step}`;
      });
    }

    // 2. Stuck creates (also a cleanup that stopped at `cleaning-up`): DeleteFork in cleanup mode,
    //    named by the fork's last move like a restarted delete.
    for (const fork of await forksIn(rt, 'creating')) {
      if (handled.has(fork.id)) continue;
      const idle = at.getTime() - Date.parse(fork.updatedAt);
      if (idle < minutes(stuckTimeout(fork.step, options))) continue;
      await sweep.attempt(summary.stuck, fork.id, 'cleanup', async () => {
        const cause =
          fork.step === 'cleaning-up' && fork.error
            ? // A stalled cleanup keeps the error it was started with.
              { Error: fork.error.code, Cause: fork.error.message }
            : {
                Error: STUCK_ERROR_CODE,
                Cause: `no progress for ${Math.round(idle / 60_000)} minutes at step ${fork.step}; cleaned up by the reconciler`,
              };
        await rt.workflows.startCleanup(fork.id, `reconcile-${epochSeconds(fork.updatedAt)}`, cause);
        return `was at ${fork.step} since ${fork.updatedAt}`;
      });
    }

    // 3. Refreshes whose workflow stopped: undo the unfinished ones, end the switched ones.
    for (const fork of await forksIn(rt, 'ready')) {
      const { refresh } = fork;
      if (!refresh || handled.has(fork.id)) continue;
      if (refresh.state === 'succeeded' || refresh.state === 'failed') continue;
      const idle = at.getTime() - Date.parse(fork.updatedAt);
      if (idle < minutes(options.refreshStuckAfterMinutes ?? REFRESH_STUCK_AFTER_MINUTES)) continue;
      if (refresh.state === 'retiring') {
        await sweep.attempt(summary.stuck, fork.id, 'end-refresh', async () => {
          await rt.store.refreshes.advance(fork.id, refresh.attempt, {
            from: ['retiring'],
            to: 'succeeded',
            step: 'done',
            finished: true,
            message: `refresh ${refresh.attempt} ended by the reconciler: ${refresh.databaseId} serves the fork; ${refresh.previousDatabaseId} goes with the orphan sweep`,
          });
          return `refresh ${refresh.attempt} was retiring since ${fork.updatedAt}`;
        });
        continue;
      }
      await sweep.attempt(summary.stuck, fork.id, 'undo-refresh', async () => {
        await rt.workflows.startRefreshCleanup(
          fork.id,
          refresh.attempt,
          `reconcile-${epochSeconds(fork.updatedAt)}`,
          {
            Error: STUCK_ERROR_CODE,
            Cause: `refresh ${refresh.attempt} made no progress for ${Math.round(idle / 60_000)} minutes at ${refresh.step}; undone by the reconciler`,
          },
        );
        return `refresh ${refresh.attempt} was ${refresh.state} (${refresh.step}) since ${fork.updatedAt}`;
      });
    }

    return sweep.finish(at);
  };
}

const runtime = lazyRuntime(RECONCILER_PARTS);

/** The scheduled Lambda's entry point (EventBridge rule; the event itself carries nothing we need). */
export const handler = traced('reconciler', (): Promise<ReconcileSummary> => createReconciler(runtime())());
