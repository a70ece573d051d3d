import { type RuntimeEnv, required } from './env.js';
import { ForkStateConflictError } from './errors.js';
import type { ScheduleTarget } from './expiry-schedule.js';
import { expiryWarningTime } from './expiry-warning.js';
import type { ForkRecord } from './fork.js';
import type { RuntimeWith } from './runtime-types.js';

/**
 * Where a fork's schedules point. Fails with a named ConfigurationError when the function was not
 * given them (only the functions that schedule expiries are), before anything is written.
 */
export function scheduleTarget(env: RuntimeEnv): ScheduleTarget {
  return {
    groupName: env.schedulerGroupName,
    deleteStateMachineArn: required(env.deleteStateMachineArn, 'deleteStateMachineArn'),
    expiryWarningFunctionArn: required(env.expiryWarningFunctionArn, 'expiryWarningFunctionArn'),
    roleArn: required(env.schedulerRoleArn, 'schedulerRoleArn'),
  };
}

/** A fork whose expiry is still ahead of it: creating (not being cleaned up) or ready. */
function expiresOnSchedule(fork: ForkRecord): boolean {
  return (fork.status === 'creating' && fork.step !== 'cleaning-up') || fork.status === 'ready';
}

/** Re-reads after a concurrent change of the expiry; more than this means something is wrong. */
const ATTEMPTS = 3;

/**
 * Schedules a fork's current `expiresAt`: the one call every change of a fork's expiry makes (the
 * create's schedule-expiry step, PATCH, a refresh). Puts (or moves) the delete schedule and the
 * `Fork Expiring` warning schedule (lambdas/core/expiry-warning.ts: the configured lead time, or
 * half the time left), then records the warning time on the fork, conditionally on its expiry
 * being unchanged. When the expiry moved meanwhile it schedules the new one (so the last writer's
 * expiry wins whatever the order of the schedule writes); when the fork stopped being live it
 * removes what it scheduled. Returns the fork as recorded.
 */
export async function armExpiry(
  rt: RuntimeWith<'store' | 'schedules'>,
  fork: ForkRecord,
  target: ScheduleTarget = scheduleTarget(rt.env),
): Promise<ForkRecord> {
  let current = fork;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    if (!expiresOnSchedule(current)) {
      await rt.schedules.delete(current.id, target.groupName);
      return current;
    }
    const warningAt = expiryWarningTime(rt.now(), current.expiresAt, rt.env.policy.expiryWarningMinutes);
    await rt.schedules.put(current.id, current.expiresAt, target);
    if (warningAt === undefined) await rt.schedules.deleteWarning(current.id, target.groupName);
    else await rt.schedules.putWarning(current.id, warningAt, current.expiresAt, target);
    const armed = await rt.store.expiryWarnings.arm(current.id, current.expiresAt, warningAt);
    if (armed) return armed;
    current = await rt.store.mustGet(current.id);
  }
  throw new ForkStateConflictError(
    `the expiry of fork ${fork.id} kept changing while it was being scheduled; repeat the request`,
  );
}
