import { ForkStateConflictError } from '../core/errors.js';
import * as parts from '../core/runtime-parts.js';
import { failureOf } from './mark-deleting.js';
import { defineStep } from './step.js';

/** Cleanup finished: the fork ends `failed` with its error kept, and `Fork Failed` is announced. */
export const step = defineStep(
  'mark-failed',
  [parts.store, parts.events, parts.metrics],
  async (state, rt) => {
    const current = await rt.store.mustGet(state.forkId);
    if (current.status !== 'creating') return {}; // a delete overtook the create and owns the record
    try {
      const fork = await rt.store.transition(state.forkId, {
        step: 'failed',
        message: 'creation failed; everything it made was removed',
        patch: { error: current.error ?? failureOf(state.error) },
        onlyFrom: ['creating'],
      });
      // A pool member that failed or was retired is nobody's fork: no event, no failed create.
      if (fork.pool) return {};
      rt.metrics.failed(fork);
      await rt.events.publish('Fork Failed', fork);
    } catch (error) {
      if (!(error instanceof ForkStateConflictError)) throw error;
    }
    return {};
  },
);
export const handler = step.handler;
