import { ForkStateConflictError, PostRestoreHookError, TransientAwsError } from '../core/errors.js';
import type { ForkHook, ForkRecord, ForkRefresh } from '../core/fork.js';
import { DEFAULT_HOOK_TIMEOUT_SECONDS } from '../core/hook-config.js';
import { hookEvent, invokePostRestoreHook } from '../core/post-restore-hook.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { assertWanted, databaseTarget } from './database-target.js';
import type { StepResult, WorkflowState } from './step.js';

type HookRuntime = RuntimeWith<'store' | 'hooks'>;

/**
 * RefreshFork's run of the post-restore hook: on the refresh's new database (the state's
 * `endpoint`, which check-credentials saw accept its password), before the secret and the DNS name
 * move to it. Fail closed: a failing hook fails the refresh, whose undo leaves the old database
 * serving.
 *
 * The refresh's own record (`refresh.hook`) keeps the hook's status, so "at most once" holds per
 * refresh, as the create's holds per fork (lambdas/steps/run-hook.ts): `pending` → `running` by a
 * conditional write on the refresh's number, its `running` state and the hook still `pending`,
 * before the invoke. A retry that finds it `running` fails the refresh rather than run it again;
 * finding it `succeeded`, it goes on. Only a throttled invoke (Lambda refused it before the function
 * ran) puts it back to `pending` for the workflow to retry.
 */
export async function runRefreshHook(state: WorkflowState, rt: HookRuntime): Promise<StepResult> {
  const target = await databaseTarget(state, rt);
  const { fork, refresh } = target;
  if (!refresh) throw new ForkStateConflictError(`fork ${fork.id} has no refresh to run a hook for`);
  const hook = refresh.hook;
  if (!hook || hook.status === 'succeeded') return {};
  assertWanted(target);
  if (hook.status !== 'pending') throw notAgain(fork, refresh, hook);
  const endpoint = state.endpoint ?? refresh.endpoint;
  if (!endpoint) {
    throw new ForkStateConflictError(
      `the new database ${refresh.databaseId} of fork ${fork.id} has no endpoint`,
    );
  }
  const event = hookEvent(fork, hook.name, endpoint, 'refresh', refresh.restore);
  const timeoutSeconds = rt.env.policy.postRestoreHook?.timeoutSeconds ?? DEFAULT_HOOK_TIMEOUT_SECONDS;

  const startedAt = rt.now();
  await claim(rt, fork, refresh, { ...hook, status: 'running', startedAt: startedAt.toISOString() });
  try {
    await invokePostRestoreHook(rt.hooks, hook.name, event, timeoutSeconds);
  } catch (error) {
    await settle(rt, fork.id, refresh.attempt, hook, startedAt, error).catch((failure: unknown) =>
      rt.logger.error('could not record the post-restore hook outcome', { forkId: fork.id, failure }),
    );
    throw error;
  }
  await settle(rt, fork.id, refresh.attempt, hook, startedAt);
  return {};
}

function notAgain(fork: ForkRecord, refresh: ForkRefresh, hook: ForkHook): PostRestoreHookError {
  const why =
    hook.status === 'running'
      ? `an earlier attempt started it at ${hook.startedAt ?? 'an unknown time'} and never reported back`
      : `it already ${hook.status}`;
  return new PostRestoreHookError(
    `post-restore hook ${hook.name} is not run again on ${refresh.databaseId}: ${why} (a hook runs at most once per refresh)`,
    {
      details: [
        { message: 'hook not run again', forkId: fork.id, refresh: refresh.attempt, hookStatus: hook.status },
      ],
    },
  );
}

/** pending → running on this refresh, or the step fails without invoking anything. */
async function claim(rt: HookRuntime, fork: ForkRecord, refresh: ForkRefresh, running: ForkHook) {
  try {
    await rt.store.refreshes.advance(fork.id, refresh.attempt, {
      from: ['running'],
      step: 'running-hook',
      hook: running,
      hookFrom: ['pending'],
      onlyWhileReady: true,
      message: `refresh ${refresh.attempt}: running post-restore hook ${running.name} on ${refresh.databaseId}`,
    });
  } catch (error) {
    if (!(error instanceof ForkStateConflictError)) throw error;
    const now = await databaseTarget({ forkId: fork.id, refresh: { attempt: refresh.attempt } }, rt);
    assertWanted(now);
    throw now.refresh?.hook ? notAgain(now.fork, now.refresh, now.refresh.hook) : error;
  }
}

/** Records how the hook went on the refresh: succeeded, failed, or (throttled, never ran) pending again. */
async function settle(
  rt: HookRuntime,
  forkId: string,
  attempt: number,
  hook: ForkHook,
  startedAt: Date,
  error?: unknown,
): Promise<void> {
  if (error instanceof TransientAwsError) {
    await rt.store.refreshes.advance(forkId, attempt, {
      from: ['running'],
      hook: { name: hook.name, status: 'pending' },
      hookFrom: ['running'],
      message: `refresh ${attempt}: post-restore hook ${hook.name} was not invoked (throttled); it will be retried`,
    });
    return;
  }
  const finished = rt.now();
  const durationMs = finished.getTime() - startedAt.getTime();
  await rt.store.refreshes.advance(forkId, attempt, {
    from: ['running'],
    hook: {
      name: hook.name,
      status: error === undefined ? 'succeeded' : 'failed',
      startedAt: startedAt.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs,
    },
    hookFrom: ['running'],
    message:
      error === undefined
        ? `refresh ${attempt}: post-restore hook ${hook.name} succeeded in ${(durationMs / 1000).toFixed(1)} s`
        : `refresh ${attempt}: ${error instanceof Error ? error.message : `post-restore hook ${hook.name} failed`}`,
  });
}
