import * as parts from '../core/runtime-parts.js';
import { teardownDatabase } from './fork-engine.js';
import { defineStep, teardownProgress, waitStarts } from './step.js';

/** Deletes the fork's database (tag-guarded, no final snapshot) and the source snapshot it took. */
export const step = defineStep('delete-database', [parts.store, parts.engines], async (state, rt) => {
  const fork = await teardownProgress(state, rt, 'deleting-database', `deleting database ${state.forkId}`);
  return waitStarts(await teardownDatabase(fork, rt));
});
export const handler = step.handler;
