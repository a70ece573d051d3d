import { ForkStateConflictError } from '../core/errors.js';
import { currentDatabaseId } from '../core/fork-databases.js';
import * as parts from '../core/runtime-parts.js';
import { failureOf } from './mark-deleting.js';
import { defineStep } from './step.js';

/**
 * A failed refresh's cleanup is done (its new database removed): the refresh ends `failed` with the
 * error, the fork's history says so, and — while the fork is still ready, served by the database it
 * had — `Fork Refresh Failed` is announced. A fork deleted meanwhile gets no event (its own
 * `Fork Deleted` tells the story).
 */
export const step = defineStep(
  'mark-refresh-failed',
  [parts.store, parts.events, parts.metrics],
  async (state, rt) => {
    const current = await rt.store.mustGet(state.forkId);
    const attempt = state.refresh?.attempt;
    const refresh = current.refresh;
    if (attempt === undefined || refresh?.attempt !== attempt) return {};
    if (refresh.state !== 'running' && refresh.state !== 'switching') return {};
    const error = failureOf(state.error);
    let fork = current;
    try {
      fork = await rt.store.refreshes.advance(current.id, attempt, {
        from: ['running', 'switching'],
        to: 'failed',
        step: 'failed',
        error,
        finished: true,
        message: `refresh ${attempt} failed (${error.code}): ${error.message}; ${currentDatabaseId(current)} still serves the fork`,
      });
    } catch (caught) {
      if (!(caught instanceof ForkStateConflictError)) throw caught;
      return {};
    }
    rt.metrics.refreshFailed(fork);
    if (fork.status === 'ready') await rt.events.publish('Fork Refresh Failed', fork);
    return {};
  },
);
export const handler = step.handler;
