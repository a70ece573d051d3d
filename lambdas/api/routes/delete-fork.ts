import { ForkStateConflictError } from '../../core/errors.js';
import { type ForkRecord, toPublicFork } from '../../core/fork.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import { ServiceUnavailableError } from '../errors.js';
import { type ApiRequest, parseParams } from '../request.js';
import type { ApiResponse } from '../respond.js';
import { assertCanManage, findFork, forkRefParamsSchema } from './shared.js';

/** DELETE /v1/forks/{id}: idempotent; only one delete workflow per fork is started from here. */

export interface DeleteOutcome {
  fork: ForkRecord;
  /** false when the fork was already deleted or being deleted. */
  started: boolean;
}

export async function deleteFork(
  rt: RuntimeWith<'store' | 'workflows'>,
  ref: string,
  caller: string,
): Promise<DeleteOutcome> {
  const fork = await findFork(rt, ref);
  assertCanManage(fork, caller, rt.env.policy, 'delete');
  if (fork.status === 'deleted' || fork.status === 'deleting') return { fork, started: false };

  let marked: ForkRecord;
  try {
    marked = await rt.store.transition(fork.id, {
      step: 'removing-dns',
      message: `deletion requested by ${caller}`,
    });
  } catch (error) {
    // A concurrent delete got there first: that request started the workflow.
    if (!(error instanceof ForkStateConflictError)) throw error;
    const latest = await rt.store.mustGet(fork.id);
    if (latest.status === 'deleted' || latest.status === 'deleting') return { fork: latest, started: false };
    throw error;
  }
  try {
    await rt.workflows.startDelete(fork.id, 'api');
  } catch (error) {
    rt.logger.error('could not start the delete workflow', { forkId: fork.id, error });
    throw new ServiceUnavailableError(
      `fork ${fork.id} is marked for deletion but its delete workflow could not be started now; dbfork's reconciler restarts stalled deletions`,
      { cause: error, details: [{ message: 'workflow not started', forkId: fork.id }] },
    );
  }
  return { fork: marked, started: true };
}

export async function deleteForkRoute(
  request: ApiRequest,
  rt: RuntimeWith<'store' | 'workflows'>,
): Promise<ApiResponse> {
  const { id } = parseParams(request, forkRefParamsSchema);
  const { fork } = await deleteFork(rt, id, request.caller);
  return { statusCode: fork.status === 'deleted' ? 200 : 202, body: toPublicFork(fork) };
}
