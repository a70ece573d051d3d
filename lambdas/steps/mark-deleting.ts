import { ForkStateConflictError } from '../core/errors.js';
import type { ForkErrorInfo } from '../core/fork.js';
import * as parts from '../core/runtime-parts.js';
import { defineStep, type WorkflowState } from './step.js';

/** The Catch of a Lambda task gives `Cause` as the Lambda's error JSON; a local run gives the message. */
export function failureOf(error: WorkflowState['error']): ForkErrorInfo {
  const code = error?.Error ?? 'UnknownError';
  const cause = error?.Cause;
  let message =
    typeof cause === 'string' ? cause : cause === undefined ? 'unknown cause' : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // not JSON: the message itself
  }
  return { code, message: message.slice(0, 2000) };
}

/**
 * Entry of the teardown path. A delete moves the fork to `deleting`; the cleanup of a failed create
 * keeps it `creating` at step `cleaning-up` with the error. A fork already deleted has nothing to do.
 */
export const step = defineStep('mark-deleting', [parts.store, parts.metrics], async (state, rt) => {
  const mode = state.mode ?? 'delete';
  const fork = await rt.store.mustGet(state.forkId);
  if (fork.status === 'deleted') return { mode, alreadyDeleted: true };
  try {
    if (mode === 'cleanup') {
      const error = failureOf(state.error);
      const cleaning = await rt.store.transition(fork.id, {
        step: 'cleaning-up',
        message: `creation failed (${error.code}): removing what was made`,
        patch: { error },
        // 'ready': mark-ready itself failed after its write (e.g. the Fork Ready event could not be
        // sent). The create still failed and its cleanup removes everything, so the fork must not
        // stay `ready` with nothing behind it: it goes on to `failed` like any other failed create.
        onlyFrom: ['creating', 'ready'],
      });
      if (fork.step !== 'cleaning-up') rt.metrics.cleanupStarted(cleaning);
    } else if (fork.status !== 'deleting') {
      await rt.store.transition(fork.id, { step: 'removing-dns', message: 'deletion started' });
    }
  } catch (error) {
    // A delete overtook this create: both paths tear down idempotently and the delete owns the record.
    if (!(error instanceof ForkStateConflictError)) throw error;
  }
  return { mode, alreadyDeleted: false };
});
export const handler = step.handler;
