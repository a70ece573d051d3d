import { defineStep, teardownProgress } from './step.js';

/** Deletes the expiry schedule (missing is fine: it deletes itself after firing). */
export const step = defineStep('delete-schedule', async (state, rt) => {
  await teardownProgress(state, rt, 'deleting-schedule', 'deleting the expiry schedule');
  await rt.schedules.delete(state.forkId, rt.env.schedulerGroupName);
  return {};
});
export const handler = step.handler;
