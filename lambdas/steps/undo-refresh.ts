import { errorName, ForkStateConflictError } from '../core/errors.js';
import { currentDatabaseId } from '../core/fork-databases.js';
import * as parts from '../core/runtime-parts.js';
import { refreshOf } from './database-target.js';
import { defineStep } from './step.js';

/**
 * The start of a failed refresh's cleanup: puts back whatever the refresh moved before it failed,
 * so the fork is exactly as before it — the secret's AWSCURRENT on the serving database's version
 * (and the staged AWSPENDING label dropped), the DNS name on the serving database while the fork is
 * ready (removed when it is being deleted) — then hands the new database to the teardown. A
 * refresh whose new database already took over is never undone.
 */
export const step = defineStep('undo-refresh', [parts.store, parts.secrets, parts.dns], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  const refresh = refreshOf(fork, state);
  if (refresh.state !== 'running' && refresh.state !== 'switching') {
    throw new ForkStateConflictError(`refresh ${refresh.attempt} is ${refresh.state}: it cannot be undone`);
  }
  const serving = currentDatabaseId(fork);
  try {
    await rt.secrets.versions.rollBack(fork.id, refresh.databaseId, serving);
  } catch (error) {
    // A delete that overtook the refresh removed the secret already: nothing to put back.
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
  }
  const newHost = refresh.endpoint?.host;
  if (newHost) {
    const record = await rt.dns.find(fork.dnsName);
    const pointsAtNew = record?.ResourceRecords?.[0]?.Value === newHost;
    if (pointsAtNew && fork.status === 'ready' && fork.endpoint) {
      await rt.dns.upsert(fork.dnsName, fork.endpoint.host);
      // A delete that began meanwhile removes the name by the endpoints it knows: leave none behind.
      const after = await rt.store.mustGet(fork.id);
      if (after.status !== 'ready') await rt.dns.removeIfPointsTo(fork.dnsName, fork.endpoint.host);
    } else if (pointsAtNew) {
      await rt.dns.removeIfPointsTo(fork.dnsName, newHost);
    }
  }
  await rt.store.refreshes.advance(fork.id, refresh.attempt, {
    from: ['running', 'switching'],
    step: 'removing the new database',
  });
  return { refresh: { attempt: refresh.attempt, teardown: 'new' }, ready: undefined };
});
export const handler = step.handler;
