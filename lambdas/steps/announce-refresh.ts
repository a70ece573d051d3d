import { required } from '../core/env.js';
import * as parts from '../core/runtime-parts.js';
import { refreshOf } from './database-target.js';
import { defineStep } from './step.js';

/**
 * After the take-over: moves the expiry schedule when the refresh gave the fork a new TTL (only
 * while the fork is ready: a fork being deleted must not get a schedule back), and announces
 * `Fork Refreshed` with the fork as it now is.
 */
export const step = defineStep(
  'announce-refresh',
  [parts.store, parts.schedules, parts.events, parts.metrics],
  async (state, rt) => {
    const fork = await rt.store.mustGet(state.forkId);
    const refresh = refreshOf(fork, state);
    if (refresh.ttl && fork.status === 'ready') {
      // Every schedule keyed on the fork's expiry moves here (the expiry schedule today).
      await rt.schedules.put(fork.id, fork.expiresAt, {
        groupName: rt.env.schedulerGroupName,
        deleteStateMachineArn: required(rt.env.deleteStateMachineArn, 'deleteStateMachineArn'),
        roleArn: required(rt.env.schedulerRoleArn, 'schedulerRoleArn'),
      });
    }
    rt.metrics.refreshed(fork);
    await rt.events.publish('Fork Refreshed', fork);
    return {};
  },
);
export const handler = step.handler;
