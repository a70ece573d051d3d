import { ForkStateConflictError } from '../core/errors.js';
import * as parts from '../core/runtime-parts.js';
import { refreshOf } from './database-target.js';
import { defineStep } from './step.js';

/**
 * The database the refresh replaced is gone: the refresh has succeeded. Also the end of a refresh
 * whose removal of that database kept failing (`error` in the state): the fork is served by its new
 * database all the same, and the reconciler's orphan sweep removes the old one.
 */
export const step = defineStep('mark-refreshed', [parts.store], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  const refresh = refreshOf(fork, state);
  if (refresh.state === 'succeeded') return {};
  try {
    await rt.store.refreshes.advance(fork.id, refresh.attempt, {
      from: ['retiring'],
      to: 'succeeded',
      step: 'done',
      finished: true,
      message: state.error
        ? `refresh ${refresh.attempt} done; ${refresh.previousDatabaseId} could not be deleted yet (${state.error.Error ?? 'error'}): the reconciler removes it`
        : `refresh ${refresh.attempt} done: ${refresh.previousDatabaseId} deleted`,
    });
  } catch (error) {
    if (!(error instanceof ForkStateConflictError)) throw error;
  }
  return {};
});
export const handler = step.handler;
