import {
  type FiredSchedule,
  fireDueSchedules,
  type SchedulerEmulationOptions,
} from './scheduler-emulation.js';

/**
 * moto stores Scheduler schedules but never fires them: every `intervalMs` this fires the due ones
 * (the delete workflow at expiry, the expiry-warning function before it, a refresh in the minutes
 * its cron names), as EventBridge Scheduler would. One check at a time.
 */
export interface ExpiryTicker {
  /** Runs one check now (also what the timer runs). */
  tick(): Promise<FiredSchedule[]>;
  stop(): void;
}

export function startExpiryTicker(
  options: SchedulerEmulationOptions & {
    /** @default 2000 */
    intervalMs?: number;
    now?: () => Date;
    onFired?: (fired: FiredSchedule) => void;
    onError?: (error: unknown) => void;
  },
): ExpiryTicker {
  let running: Promise<FiredSchedule[]> | undefined;
  const firedMinutes = new Set<string>();
  const tick = (): Promise<FiredSchedule[]> => {
    running ??= fireDueSchedules({ ...options, firedMinutes, now: options.now?.() ?? new Date() })
      .then((fired) => {
        for (const f of fired) options.onFired?.(f);
        return fired;
      })
      .catch((error: unknown) => {
        options.onError?.(error);
        return [];
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 2000);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
