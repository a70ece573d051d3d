/**
 * Every workflow step handler by name. Each step Lambda carries its name in the
 * DBFORK_STEP environment variable, which is how the offline runner binds a synthesized
 * Task state to the same handler code the Lambda runs.
 */
/** The create workflow's own steps, in order. */
export const CREATE_STEP_NAMES = [
  'resolve-source',
  'select-backup',
  'check-snapshot',
  'restore',
  'check-database',
  'create-instances',
  'rotate-credentials',
  'check-credentials',
  'register-dns',
  'schedule-expiry',
  'mark-ready',
] as const;

/** The delete workflow's steps, which are also the cleanup path of a failed create. */
export const TEARDOWN_STEP_NAMES = [
  'mark-deleting',
  'remove-dns',
  'delete-database',
  'check-gone',
  'delete-secret',
  'delete-schedule',
  'mark-deleted',
  'mark-failed',
] as const;

/**
 * The refresh workflow's own steps. It also runs the create's restore steps and checks on the new
 * database (select-backup … check-credentials), the post-restore hook when the stack has one, and
 * the teardown's delete-database / check-gone on the database it removes
 * (lambdas/steps/database-target.ts).
 */
export const REFRESH_STEP_NAMES = [
  'begin-refresh',
  'stage-credentials',
  'switch-secret',
  'switch-dns',
  'take-over',
  'announce-refresh',
  'mark-refreshed',
  'undo-refresh',
  'mark-refresh-failed',
] as const;

/**
 * Steps only a stack with a post-restore hook has (`postRestoreHook`): without one, neither their
 * state nor their function exists. run-hook runs in CreateFork and in RefreshFork.
 */
export const OPTIONAL_STEP_NAMES = ['run-hook'] as const;
export type OptionalStepName = (typeof OPTIONAL_STEP_NAMES)[number];

/** CreateFork's step of warm-pool members only: parks the member until a claim (or its retirement). */
export const POOL_STEP_NAMES = ['park-member'] as const;

export const STEP_NAMES = [
  ...CREATE_STEP_NAMES,
  ...POOL_STEP_NAMES,
  ...TEARDOWN_STEP_NAMES,
  ...REFRESH_STEP_NAMES,
  ...OPTIONAL_STEP_NAMES,
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const STEP_ENV_VAR = 'DBFORK_STEP';
