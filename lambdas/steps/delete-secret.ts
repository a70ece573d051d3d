import * as parts from '../core/runtime-parts.js';
import { defineStep, teardownProgress } from './step.js';

/** Deletes the fork's secret at once (no recovery window: the database it opened is gone). */
export const step = defineStep('delete-secret', [parts.store, parts.secrets], async (state, rt) => {
  await teardownProgress(state, rt, 'deleting-secret', 'deleting credentials');
  await rt.secrets.delete(state.forkId);
  return {};
});
export const handler = step.handler;
