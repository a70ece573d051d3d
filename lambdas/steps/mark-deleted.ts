import * as parts from '../core/runtime-parts.js';
import { defineStep } from './step.js';

/** Everything is gone: record it (kept for audit until its TTL) and announce `Fork Deleted`. */
export const step = defineStep(
  'mark-deleted',
  [parts.store, parts.events, parts.metrics],
  async (state, rt) => {
    const current = await rt.store.mustGet(state.forkId);
    if (current.status === 'deleted') return {};
    const fork = await rt.store.transition(state.forkId, {
      step: 'deleted',
      message: 'fork deleted; nothing left behind',
    });
    // A pool member (deleted by the expiry sweep past its deadline) is nobody's fork: no event.
    if (fork.pool) return {};
    rt.metrics.deleted(fork);
    await rt.events.publish('Fork Deleted', fork);
    return {};
  },
);
export const handler = step.handler;
