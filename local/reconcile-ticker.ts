import type { Runtime } from '../lambdas/core/runtime.js';
import { createFullReconcile } from '../lambdas/events/reconcile-all.js';
import type { ReconcileSummary } from '../lambdas/events/reconcile-sweep.js';

/**
 * Offline stand-in for the reconciler's EventBridge schedule: runs the three sweep Lambdas' code
 * in-process every `intervalMs`, one run at a time.
 */
export interface ReconcileTicker {
  /** Runs the reconciler now (also what the timer runs); a run already going is shared. */
  tick(): Promise<ReconcileSummary | undefined>;
  stop(): void;
}

export function startReconcileTicker(options: {
  runtime: Runtime;
  /** @default 30000; 0 runs only on `tick()` */
  intervalMs?: number;
  onRun?: (summary: ReconcileSummary) => void;
  onError?: (error: unknown) => void;
}): ReconcileTicker {
  const reconcile = createFullReconcile(options.runtime);
  let running: Promise<ReconcileSummary | undefined> | undefined;
  const tick = (): Promise<ReconcileSummary | undefined> => {
    running ??= reconcile()
      .then((summary) => {
        options.onRun?.(summary);
        return summary;
      })
      .catch((error: unknown) => {
        options.onError?.(error);
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const intervalMs = options.intervalMs ?? 30_000;
  const timer = intervalMs > 0 ? setInterval(() => void tick(), intervalMs) : undefined;
  timer?.unref();
  return { tick, stop: () => clearInterval(timer) };
}
