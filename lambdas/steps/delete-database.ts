import * as parts from '../core/runtime-parts.js';
import { tearDown } from './fork-engine.js';
import { defineStep, teardownProgress, waitStarts } from './step.js';

/** Deletes the fork's databases (tag-guarded, no final snapshot) and the source snapshots they took. */
export const step = defineStep('delete-database', [parts.store, parts.engines], async (state, rt) => {
  const fork = await teardownProgress(state, rt, 'deleting-database', `deleting database ${state.forkId}`);
  return waitStarts(await tearDown(fork, state, rt));
});
export const handler = step.handler;
