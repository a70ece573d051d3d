import { ForkStateConflictError } from '../core/errors.js';
import { claimRefresh, SCHEDULED_REFRESH } from '../core/refresh-claim.js';
import * as parts from '../core/runtime-parts.js';
import { defineStep } from './step.js';

/**
 * The start of RefreshFork. Started by the API, the refresh is already claimed on the record
 * (`refresh.attempt` in the input): it goes on while that refresh is the fork's and building.
 * Started by the fork's recurring schedule (`scheduled`), it claims the next refresh itself, from
 * the latest backup; a fork that is not ready, has a refresh in progress or no longer has a
 * schedule is skipped.
 */
export const step = defineStep('begin-refresh', [parts.store], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  if (state.refresh) {
    const { refresh } = fork;
    const current =
      fork.status === 'ready' && refresh?.attempt === state.refresh.attempt && refresh.state === 'running';
    return { skipped: !current };
  }
  if (!state.scheduled || !fork.refreshSchedule) return { skipped: true };
  try {
    const claimed = await claimRefresh(rt, fork, {
      requestedBy: SCHEDULED_REFRESH,
      restore: { type: 'latest-backup' },
    });
    return { skipped: false, refresh: { attempt: claimed.refresh.attempt } };
  } catch (error) {
    if (!(error instanceof ForkStateConflictError)) throw error;
    rt.logger.info('scheduled refresh skipped', { forkId: fork.id, reason: error.message });
    return { skipped: true };
  }
});
export const handler = step.handler;
