import type { RuntimeWith } from '../core/runtime-types.js';

/**
 * What every reconciler sweep shares (lambdas/events/reconciler.ts, orphan-databases.ts,
 * orphan-leftovers.ts): one summary per run, each action attempted on its own so one failure does
 * not stop the others, and one `reconcile finished` log line with the counts (the stack's
 * ReconcilerFindings metric filter reads it) plus the counts as metrics.
 */
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

export const minutes = (n: number) => n * 60_000;

/** Several sweeps' summaries as one (what the stack's rule runs side by side, seen together). */
export function mergeSummaries(summaries: readonly ReconcileSummary[]): ReconcileSummary {
  return {
    expired: summaries.flatMap((s) => s.expired),
    orphans: summaries.flatMap((s) => s.orphans),
    stuck: summaries.flatMap((s) => s.stuck),
    errors: summaries.flatMap((s) => s.errors),
  };
}

/** A sweep's run: `attempt` records each action's outcome; `finish` reports and returns the summary. */
export function startSweep(rt: RuntimeWith<'metrics'>, sweep: string) {
  const logger = rt.logger.createChild({ persistentKeys: { component: 'reconciler', sweep } });
  const summary: ReconcileSummary = { expired: [], orphans: [], stuck: [], errors: [] };
  const handled = new Set<string>();
  return {
    logger,
    summary,
    /** Fork ids something was done (or tried) for in this run. */
    handled,
    async attempt(
      list: ReconcileAction[],
      forkId: string,
      action: string,
      work: () => Promise<string | undefined>,
    ): Promise<void> {
      handled.add(forkId);
      try {
        const detail = await work();
        list.push({ forkId, action, ...(detail ? { detail } : {}) });
      } catch (error) {
        const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        summary.errors.push({ forkId, action, detail });
        logger.warn('reconcile action failed', { forkId, action, error: detail });
      }
    },
    finish(at: Date): ReconcileSummary {
      const counts = {
        expired: summary.expired.length,
        orphans: summary.orphans.length,
        stuck: summary.stuck.length,
        errors: summary.errors.length,
      };
      rt.metrics.reconciled(counts);
      logger.info('reconcile finished', { at: at.toISOString(), ...counts, summary });
      return summary;
    },
  };
}
