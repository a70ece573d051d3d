import { ForkStateConflictError } from '../core/errors.js';
import type { ForkRecord, ForkRefresh, ForkStep, ResolvedRestore } from '../core/fork.js';
import { currentDatabaseId } from '../core/fork-databases.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import type { WorkflowState } from './step.js';

/**
 * The database a restore step works on. In CreateFork it is the fork's own (`<fork id>`), and the
 * steps move the fork through its creating steps. In RefreshFork (the state carries `refresh`) it
 * is the refresh's new database (`<fork id>-r<n>`), the steps record their progress on the refresh
 * only (the fork stays `ready`, served by its current database), and they stop as soon as the fork
 * is no longer ready or the refresh is no longer this one.
 */
export interface DatabaseTarget {
  fork: ForkRecord;
  databaseId: string;
  restore: { requested: ForkRecord['restore']['requested']; resolved?: ResolvedRestore };
  /** Where the target is: the fork's step (create) or the refresh's (refresh). */
  step: string;
  /** The refresh, in RefreshFork. */
  refresh?: ForkRefresh;
}

export async function databaseTarget(
  state: WorkflowState,
  rt: RuntimeWith<'store'>,
): Promise<DatabaseTarget> {
  const fork = await rt.store.mustGet(state.forkId);
  if (!state.refresh) return { fork, databaseId: fork.id, restore: fork.restore, step: fork.step };
  const refresh = fork.refresh;
  if (!refresh || refresh.attempt !== state.refresh.attempt) {
    throw new ForkStateConflictError(
      `fork ${fork.id} has no refresh ${state.refresh.attempt} (its latest is ${refresh?.attempt ?? 'none'})`,
    );
  }
  return { fork, databaseId: refresh.databaseId, restore: refresh.restore, step: refresh.step, refresh };
}

/**
 * The waits stop once their work is no longer wanted: a create that a delete overtook (see
 * `assertStillCreating`), or a refresh whose fork is no longer ready (being deleted) or that is no
 * longer building. Throwing sends the workflow to its cleanup path.
 */
export function assertWanted(target: DatabaseTarget): void {
  const { fork, refresh } = target;
  if (!refresh) {
    if (fork.status === 'creating') return;
    throw new ForkStateConflictError(
      `fork ${fork.id} is ${fork.status} (${fork.step}): its creation was abandoned`,
      { details: [{ message: 'creation abandoned', status: fork.status, step: fork.step }] },
    );
  }
  if (fork.status === 'ready' && refresh.state === 'running') return;
  throw new ForkStateConflictError(
    `fork ${fork.id} is ${fork.status} and its refresh ${refresh.attempt} ${refresh.state}: the refresh was abandoned`,
    { details: [{ message: 'refresh abandoned', status: fork.status, refresh: refresh.state }] },
  );
}

/**
 * Records a step: a create moves the fork (a conditional transition); a refresh moves only its own
 * step, and only while the fork is ready and the refresh building.
 */
export async function recordProgress(
  target: DatabaseTarget,
  rt: RuntimeWith<'store'>,
  step: ForkStep,
  message: string,
  resolved?: ResolvedRestore,
): Promise<void> {
  const { fork, refresh } = target;
  if (!refresh) {
    await rt.store.transition(fork.id, {
      step,
      message,
      ...(resolved ? { patch: { restore: { requested: fork.restore.requested, resolved } } } : {}),
    });
    return;
  }
  // Only the backup chosen goes to the fork's history; the rest shows as the refresh's step.
  await rt.store.refreshes.advance(fork.id, refresh.attempt, {
    from: ['running'],
    step,
    onlyWhileReady: true,
    ...(resolved ? { resolved, message: `refresh ${refresh.attempt}: ${message}` } : {}),
  });
}

/**
 * The database a refresh's teardown removes: the new one (after a failure) or the one it replaced
 * (after the switch); never the one serving the fork.
 */
export function refreshTeardownTarget(
  fork: ForkRecord,
  refresh: NonNullable<WorkflowState['refresh']>,
): string {
  const latest = fork.refresh;
  if (!latest || latest.attempt !== refresh.attempt || !refresh.teardown) {
    throw new ForkStateConflictError(`fork ${fork.id} has no refresh ${refresh.attempt} to tear down`);
  }
  const databaseId = refresh.teardown === 'new' ? latest.databaseId : latest.previousDatabaseId;
  if (databaseId === currentDatabaseId(fork)) {
    throw new ForkStateConflictError(
      `refusing to delete ${databaseId}: it is the database serving fork ${fork.id}`,
    );
  }
  return databaseId;
}

/** The refresh a RefreshFork state names, as the record has it (it must be that one). */
export function refreshOf(fork: ForkRecord, state: WorkflowState): ForkRefresh & { attempt: number } {
  const attempt = state.refresh?.attempt;
  if (attempt === undefined || fork.refresh?.attempt !== attempt) {
    throw new ForkStateConflictError(
      `fork ${fork.id} has no refresh ${attempt ?? '(none given)'} (its latest is ${fork.refresh?.attempt ?? 'none'})`,
    );
  }
  return fork.refresh;
}
