import { armExpiry } from '../core/expiry-arming.js';
import * as parts from '../core/runtime-parts.js';
import { refreshOf } from './database-target.js';
import { defineStep } from './step.js';

/**
 * After the take-over: when the refresh gave the fork a new TTL, moves its expiry and the
 * `Fork Expiring` warning with it (armExpiry: only while the fork is live; a fork being deleted
 * gets no schedule back), and announces `Fork Refreshed` with the fork as it now is.
 */
export const step = defineStep(
  'announce-refresh',
  [parts.store, parts.schedules, parts.events, parts.metrics],
  async (state, rt) => {
    let fork = await rt.store.mustGet(state.forkId);
    const refresh = refreshOf(fork, state);
    if (refresh.ttl) fork = await armExpiry(rt, fork);
    rt.metrics.refreshed(fork);
    await rt.events.publish('Fork Refreshed', fork);
    return {};
  },
);
export const handler = step.handler;
