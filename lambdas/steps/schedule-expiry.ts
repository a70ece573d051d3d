import { required } from '../core/env.js';
import { armExpiry } from '../core/expiry-arming.js';
import * as parts from '../core/runtime-parts.js';
import { defineStep } from './step.js';

/**
 * The fork's one-time Scheduler schedules (UTC, each deleting itself once fired): the delete
 * workflow at expiresAt, and `Fork Expiring` a lead time before (lambdas/core/expiry-arming.ts);
 * and, for a fork created with a `refreshSchedule`, its recurring refresh schedule.
 */
export const step = defineStep('schedule-expiry', [parts.store, parts.schedules], async (state, rt) => {
  // The record returned by the transition is read after it: a TTL change that landed meanwhile wins.
  const fork = await rt.store.transition(state.forkId, {
    step: 'scheduling-expiry',
    message: 'scheduling deletion at expiry',
  });
  const armed = await armExpiry(rt, fork);
  if (armed.refreshSchedule) {
    await rt.schedules.putRefresh(armed.id, armed.refreshSchedule, {
      groupName: rt.env.schedulerGroupName,
      refreshStateMachineArn: required(rt.env.refreshStateMachineArn, 'refreshStateMachineArn'),
      roleArn: required(rt.env.schedulerRoleArn, 'schedulerRoleArn'),
    });
  }
  return {};
});
export const handler = step.handler;
