import * as parts from '../core/runtime-parts.js';
import { defineStep } from './step.js';

/** The fork is usable: record it and announce `Fork Ready`. */
export const step = defineStep(
  'mark-ready',
  [parts.store, parts.events, parts.metrics],
  async (state, rt) => {
    const fork = await rt.store.transition(state.forkId, {
      step: 'ready',
      message: 'fork is ready',
      patch: { readyAt: rt.now().toISOString() },
      // 'ready' again is a retried step whose first answer was lost.
      onlyFrom: ['creating', 'ready'],
    });
    // A retried step (its first answer lost) counts the fork once.
    if (fork.history.filter((entry) => entry.step === 'ready').length === 1) rt.metrics.ready(fork);
    await rt.events.publish('Fork Ready', fork);
    return {};
  },
);
export const handler = step.handler;
