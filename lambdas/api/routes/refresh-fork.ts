import { ForkStateConflictError, IdempotencyConflictError } from '../../core/errors.js';
import {
  type ForkRecord,
  type RefreshForkBody,
  refreshForkBodySchema,
  toPublicFork,
} from '../../core/fork.js';
import { forkSource } from '../../core/fork-source.js';
import { claimRefresh } from '../../core/refresh-claim.js';
import type { RuntimeWith } from '../../core/runtime-types.js';
import { assertForkable } from '../../core/source-policy.js';
import { requestedTtl, type Ttl } from '../../core/ttl.js';
import { ServiceUnavailableError } from '../errors.js';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from '../idempotency.js';
import { type ApiRequest, parseOptionalBody, parseParams } from '../request.js';
import type { ApiResponse } from '../respond.js';
import { assertRestoreSupported, assertRestoreTarget } from './restore-checks.js';
import { assertCanManage, findFork, forkRefParamsSchema } from './shared.js';

/**
 * POST /v1/forks/{id}/refresh: a new database from the latest backup (or the given restore) takes
 * over the fork once it is ready — same name, DNS name, secret ARN and expiry (or the TTL given,
 * counted from the switch) — and the old one is deleted. Everything a caller can get wrong is
 * refused before anything is written; a fork that is not ready, or has a refresh in progress, is a
 * 409. Answers 202 with the fork, its `refresh` running. With an `Idempotency-Key` (commands always
 * send one), the same key from the same caller answers the refresh it started, whatever its state,
 * instead of starting another (another body with that key: 409).
 */

export type RefreshRuntime = RuntimeWith<'store' | 'engines' | 'workflows'>;

function assertRefreshable(fork: ForkRecord): void {
  if (fork.status !== 'ready') {
    throw new ForkStateConflictError(
      `fork ${fork.id} is ${fork.status} (${fork.step}); only a ready fork can be refreshed`,
      { details: [{ message: 'fork not ready', status: fork.status, step: fork.step }] },
    );
  }
  const refresh = fork.refresh;
  if (refresh && refresh.state !== 'succeeded' && refresh.state !== 'failed') {
    throw new ForkStateConflictError(
      `fork ${fork.id} is being refreshed (refresh ${refresh.attempt} is ${refresh.state}: ${refresh.step}); try again once it ends`,
      { details: [{ message: 'refresh in progress', attempt: refresh.attempt, state: refresh.state }] },
    );
  }
}

/** Marks a claimed refresh whose workflow could not be started as failed (it built nothing). */
async function markNotStarted(rt: RefreshRuntime, fork: ForkRecord, attempt: number, cause: unknown) {
  const message = 'the refresh workflow could not be started';
  try {
    await rt.store.refreshes.advance(fork.id, attempt, {
      from: ['running'],
      to: 'failed',
      step: 'failed',
      error: { code: 'workflow_not_started', message },
      finished: true,
      message: `refresh ${attempt} failed: ${message}`,
    });
  } catch (error) {
    // It moved on: the start did reach Step Functions after all, and the workflow owns the refresh.
    if (!(error instanceof ForkStateConflictError)) {
      rt.logger.error('could not mark an unstarted refresh failed', { forkId: fork.id, error, cause });
    }
  }
}

/** The refresh the same caller started with this key: a replay, or (another body) a 409. */
function replayOf(
  fork: ForkRecord,
  caller: string,
  body: RefreshForkBody,
  ttl: Ttl | undefined,
  key: string | undefined,
): ForkRecord | undefined {
  const refresh = fork.refresh;
  if (key === undefined || refresh?.requestKey !== key || refresh.requestedBy !== caller) return undefined;
  const same =
    JSON.stringify(refresh.restore.requested) === JSON.stringify(body.restore) &&
    JSON.stringify(refresh.ttl) === JSON.stringify(ttl);
  if (same) return fork;
  throw new IdempotencyConflictError(
    `${IDEMPOTENCY_HEADER} ${key} started refresh ${refresh.attempt} of fork ${fork.id} with another body; use a new key for another refresh`,
    {
      details: [
        { path: IDEMPOTENCY_HEADER, message: 'key reused with another body', attempt: refresh.attempt },
      ],
    },
  );
}

export async function refreshFork(
  rt: RefreshRuntime,
  ref: string,
  caller: string,
  body: RefreshForkBody,
  idempotencyKey?: string,
): Promise<{ fork: ForkRecord; replayed: boolean }> {
  const fork = await findFork(rt, ref);
  assertCanManage(fork, caller, rt.env.policy, 'refresh');
  const ttl =
    body.ttlHours === undefined && body.ttlMinutes === undefined
      ? undefined
      : requestedTtl(body, rt.env.policy);
  const replay = replayOf(fork, caller, body, ttl, idempotencyKey);
  if (replay) return { fork: replay, replayed: true };
  assertRefreshable(fork);
  const { engine, source } = await forkSource(fork, rt);
  assertForkable(source, rt.env.policy, body.restore.type);
  assertRestoreSupported(rt, engine, source, body.restore.type);
  await assertRestoreTarget(engine, source, body.restore);

  const claimed = await claimRefresh(rt, fork, {
    requestedBy: caller,
    restore: body.restore,
    ...(ttl ? { ttl } : {}),
    ...(idempotencyKey ? { requestKey: idempotencyKey } : {}),
  });
  const { attempt } = claimed.refresh;
  try {
    await rt.workflows.startRefresh(fork.id, attempt);
  } catch (error) {
    rt.logger.error('could not start the refresh workflow', { forkId: fork.id, error });
    await markNotStarted(rt, fork, attempt, error);
    throw new ServiceUnavailableError(
      `the refresh of fork ${fork.id} could not be started, so nothing changed; retry the request`,
      { cause: error, details: [{ message: 'workflow not started', forkId: fork.id }] },
    );
  }
  return { fork: claimed, replayed: false };
}

export async function refreshForkRoute(request: ApiRequest, rt: RefreshRuntime): Promise<ApiResponse> {
  const { id } = parseParams(request, forkRefParamsSchema);
  const body = parseOptionalBody(request, refreshForkBodySchema);
  const { fork, replayed } = await refreshFork(rt, id, request.caller, body, idempotencyKeyOf(request));
  return {
    statusCode: 202,
    headers: { location: `/v1/forks/${fork.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) },
    body: toPublicFork(fork),
  };
}
