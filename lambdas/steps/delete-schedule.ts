import * as parts from '../core/runtime-parts.js';
import { defineStep, teardownProgress } from './step.js';

/** Deletes the expiry and warning schedules (missing is fine: each deletes itself after firing). */
export const step = defineStep('delete-schedule', [parts.store, parts.schedules], async (state, rt) => {
  await teardownProgress(state, rt, 'deleting-schedule', 'deleting the expiry schedules');
  await rt.schedules.delete(state.forkId, rt.env.schedulerGroupName);
  return {};
});
export const handler = step.handler;
