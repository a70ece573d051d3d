import * as parts from '../core/runtime-parts.js';
import { defineStep } from './step.js';

/** The fork is usable: record it and announce `Fork Ready`. */
export const step = defineStep('mark-ready', [parts.store, parts.events], async (state, rt) => {
  const fork = await rt.store.transition(state.forkId, {
    step: 'ready',
    message: 'fork is ready',
    patch: { readyAt: rt.now().toISOString() },
    // 'ready' again is a retried step whose first answer was lost.
    onlyFrom: ['creating', 'ready'],
  });
  await rt.events.publish('Fork Ready', fork);
  return {};
});
export const handler = step.handler;
