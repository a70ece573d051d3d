import {
  ForkStateConflictError,
  PostRestoreHookError,
  RestoreFailedError,
  TransientAwsError,
} from '../core/errors.js';
import type { ForkHook, ForkRecord } from '../core/fork.js';
import { DEFAULT_HOOK_TIMEOUT_SECONDS } from '../core/hook-config.js';
import { hookEvent, invokePostRestoreHook } from '../core/post-restore-hook.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { runRefreshHook } from './refresh-hook.js';
import { assertStillCreating, defineStep } from './step.js';

type HookRuntime = RuntimeWith<'store' | 'hooks'>;

/**
 * Runs the fork's post-restore hook on its database (the workflow state's `endpoint`, which
 * check-credentials saw ready) before it gets its DNS name: fail closed, and never twice. In
 * RefreshFork (the state carries `refresh`) it runs the refresh's hook on the new database before
 * the switch instead, kept on the refresh's record (lambdas/steps/refresh-hook.ts).
 *
 * A hook need not be idempotent (a masking job), so it is started at most once: the record moves it
 * from `pending` to `running` with a conditional write before the invoke. A retried step that finds
 * it `running` cannot know whether it ran, and fails the fork rather than run it again; finding it
 * `succeeded` (the step's answer was lost) it goes on. Only a throttled invoke, which Lambda refuses
 * before the function starts, puts it back to `pending` for the workflow to retry.
 */
export const step = defineStep('run-hook', [parts.store, parts.hooks], async (state, rt) => {
  if (state.refresh) return runRefreshHook(state, rt);
  const fork = await rt.store.mustGet(state.forkId);
  const hook = fork.hook;
  if (!hook || hook.status === 'succeeded') return {};
  assertStillCreating(fork);
  if (hook.status !== 'pending') throw notAgain(fork, hook);
  const endpoint = state.endpoint ?? fork.endpoint;
  if (!endpoint) throw new RestoreFailedError(`the fork database ${fork.id} has no endpoint`);
  const event = hookEvent(fork, hook.name, endpoint, 'create');
  const timeoutSeconds = rt.env.policy.postRestoreHook?.timeoutSeconds ?? DEFAULT_HOOK_TIMEOUT_SECONDS;

  const startedAt = rt.now();
  await claim(rt, fork, { ...hook, status: 'running', startedAt: startedAt.toISOString() });
  try {
    await invokePostRestoreHook(rt.hooks, hook.name, event, timeoutSeconds);
  } catch (error) {
    await settle(rt, fork.id, hook, startedAt, error).catch((failure: unknown) =>
      rt.logger.error('could not record the post-restore hook outcome', { forkId: fork.id, failure }),
    );
    throw error;
  }
  await settle(rt, fork.id, hook, startedAt);
  return {};
});
export const handler = step.handler;

function notAgain(fork: ForkRecord, hook: ForkHook): PostRestoreHookError {
  const why =
    hook.status === 'running'
      ? `an earlier attempt started it at ${hook.startedAt ?? 'an unknown time'} and never reported back`
      : `it already ${hook.status}`;
  return new PostRestoreHookError(
    `post-restore hook ${hook.name} is not run again: ${why} (a hook runs at most once per fork)`,
    { details: [{ message: 'hook not run again', forkId: fork.id, hookStatus: hook.status }] },
  );
}

/** pending → running, or the step fails without invoking anything. */
async function claim(rt: HookRuntime, fork: ForkRecord, running: ForkHook): Promise<void> {
  try {
    await rt.store.transition(fork.id, {
      step: 'running-hook',
      message: `running post-restore hook ${running.name}`,
      patch: { hook: running },
      onlyFrom: ['creating'],
      hookFrom: ['pending'],
    });
  } catch (error) {
    if (!(error instanceof ForkStateConflictError)) throw error;
    const now = await rt.store.mustGet(fork.id);
    assertStillCreating(now);
    throw now.hook ? notAgain(now, now.hook) : error;
  }
}

/** Records how the hook went: succeeded, failed, or (throttled, never ran) pending again. */
async function settle(
  rt: HookRuntime,
  forkId: string,
  hook: ForkHook,
  startedAt: Date,
  error?: unknown,
): Promise<void> {
  const finished = rt.now();
  if (error instanceof TransientAwsError) {
    await rt.store.transition(forkId, {
      step: 'running-hook',
      message: `post-restore hook ${hook.name} was not invoked (throttled); it will be retried`,
      patch: { hook: { name: hook.name, status: 'pending' } },
      onlyFrom: ['creating'],
      hookFrom: ['running'],
    });
    return;
  }
  const durationMs = finished.getTime() - startedAt.getTime();
  const outcome: ForkHook = {
    name: hook.name,
    status: error === undefined ? 'succeeded' : 'failed',
    startedAt: startedAt.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs,
  };
  await rt.store.transition(forkId, {
    step: 'running-hook',
    message:
      error === undefined
        ? `post-restore hook ${hook.name} succeeded in ${(durationMs / 1000).toFixed(1)} s`
        : error instanceof Error
          ? error.message
          : `post-restore hook ${hook.name} failed`,
    patch: { hook: outcome },
    onlyFrom: ['creating'],
    hookFrom: ['running'],
  });
}
