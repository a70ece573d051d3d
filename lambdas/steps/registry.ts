import type { Runtime } from '../core/runtime.js';
import { step as announceRefresh } from './announce-refresh.js';
import { step as beginRefresh } from './begin-refresh.js';
import { step as checkCredentials } from './check-credentials.js';
import { step as checkDatabase } from './check-database.js';
import { step as checkGone } from './check-gone.js';
import { step as checkSnapshot } from './check-snapshot.js';
import { step as createInstances } from './create-instances.js';
import { step as deleteDatabase } from './delete-database.js';
import { step as deleteSchedule } from './delete-schedule.js';
import { step as deleteSecret } from './delete-secret.js';
import { step as markDeleted } from './mark-deleted.js';
import { step as markDeleting } from './mark-deleting.js';
import { step as markFailed } from './mark-failed.js';
import { step as markReady } from './mark-ready.js';
import { step as markRefreshFailed } from './mark-refresh-failed.js';
import { step as markRefreshed } from './mark-refreshed.js';
import { step as parkMember } from './park-member.js';
import { step as registerDns } from './register-dns.js';
import { step as removeDns } from './remove-dns.js';
import { step as resolveSource } from './resolve-source.js';
import { step as restore } from './restore.js';
import { step as rotateCredentials } from './rotate-credentials.js';
import { step as runHook } from './run-hook.js';
import { step as scheduleExpiry } from './schedule-expiry.js';
import { step as selectBackup } from './select-backup.js';
import { step as stageCredentials } from './stage-credentials.js';
import type { Step } from './step.js';
import type { StepName } from './step-names.js';
import { step as switchDns } from './switch-dns.js';
import { step as switchSecret } from './switch-secret.js';
import { step as takeOver } from './take-over.js';
import { step as undoRefresh } from './undo-refresh.js';

/** Every step by name: how the offline runner and the workflow tests run the Lambdas' own code in-process. */
export const STEPS: Record<StepName, Step> = {
  'resolve-source': resolveSource,
  'select-backup': selectBackup,
  'check-snapshot': checkSnapshot,
  restore,
  'check-database': checkDatabase,
  'create-instances': createInstances,
  'rotate-credentials': rotateCredentials,
  'check-credentials': checkCredentials,
  'park-member': parkMember,
  'run-hook': runHook,
  'register-dns': registerDns,
  'schedule-expiry': scheduleExpiry,
  'mark-ready': markReady,
  'mark-deleting': markDeleting,
  'remove-dns': removeDns,
  'delete-database': deleteDatabase,
  'check-gone': checkGone,
  'delete-secret': deleteSecret,
  'delete-schedule': deleteSchedule,
  'mark-deleted': markDeleted,
  'mark-failed': markFailed,
  'begin-refresh': beginRefresh,
  'stage-credentials': stageCredentials,
  'switch-secret': switchSecret,
  'switch-dns': switchDns,
  'take-over': takeOver,
  'announce-refresh': announceRefresh,
  'mark-refreshed': markRefreshed,
  'undo-refresh': undoRefresh,
  'mark-refresh-failed': markRefreshFailed,
};

export type StepHandlers = Record<StepName, (input: unknown) => Promise<unknown>>;

export function stepHandlers(rt: Runtime): StepHandlers {
  return Object.fromEntries(
    Object.entries(STEPS).map(([name, step]) => [name, (input: unknown) => step.run(input, rt)]),
  ) as StepHandlers;
}
