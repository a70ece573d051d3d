import { required } from '../core/env.js';
import { defineStep } from './step.js';

/** One-time Scheduler schedule at expiresAt (UTC) that starts the delete workflow, then deletes itself. */
export const step = defineStep('schedule-expiry', async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  await rt.store.transition(fork.id, { step: 'scheduling-expiry', message: `scheduling deletion at ${fork.expiresAt}` });
  await rt.schedules.put(fork.id, fork.expiresAt, {
    groupName: rt.env.schedulerGroupName,
    deleteStateMachineArn: required(rt.env.deleteStateMachineArn, 'deleteStateMachineArn'),
    roleArn: required(rt.env.schedulerRoleArn, 'schedulerRoleArn'),
  });
  return {};
});
export const handler = step.handler;
