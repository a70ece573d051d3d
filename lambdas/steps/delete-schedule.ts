import * as parts from '../core/runtime-parts.js';
import { defineStep, teardownProgress } from './step.js';

/**
 * Deletes the fork's schedules: the expiry and its warning (missing is fine: each deletes itself
 * after firing) and the recurring refresh schedule, if any.
 */
export const step = defineStep('delete-schedule', [parts.store, parts.schedules], async (state, rt) => {
  await teardownProgress(state, rt, 'deleting-schedule', 'deleting the expiry and refresh schedules');
  await rt.schedules.deleteAll(state.forkId, rt.env.schedulerGroupName);
  return {};
});
export const handler = step.handler;
