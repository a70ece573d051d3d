import { required } from '../core/env.js';
import * as parts from '../core/runtime-parts.js';
import { defineStep } from './step.js';

/**
 * One-time Scheduler schedule at expiresAt (UTC) that starts the delete workflow, then deletes
 * itself; and, for a fork created with a `refreshSchedule`, its recurring refresh schedule.
 */
export const step = defineStep('schedule-expiry', [parts.store, parts.schedules], async (state, rt) => {
  // The record returned by the transition is read after it: a TTL change that landed meanwhile wins.
  const fork = await rt.store.transition(state.forkId, {
    step: 'scheduling-expiry',
    message: 'scheduling deletion at expiry',
  });
  const groupName = rt.env.schedulerGroupName;
  const roleArn = required(rt.env.schedulerRoleArn, 'schedulerRoleArn');
  await rt.schedules.put(fork.id, fork.expiresAt, {
    groupName,
    deleteStateMachineArn: required(rt.env.deleteStateMachineArn, 'deleteStateMachineArn'),
    roleArn,
  });
  if (fork.refreshSchedule) {
    await rt.schedules.putRefresh(fork.id, fork.refreshSchedule, {
      groupName,
      refreshStateMachineArn: required(rt.env.refreshStateMachineArn, 'refreshStateMachineArn'),
      roleArn,
    });
  }
  return {};
});
export const handler = step.handler;
