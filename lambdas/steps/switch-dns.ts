import { ForkStateConflictError } from '../core/errors.js';
import * as parts from '../core/runtime-parts.js';
import { refreshOf } from './database-target.js';
import { defineStep } from './step.js';

/**
 * Points the fork's DNS name at the new database (CNAME UPSERT), only while the fork is ready. A
 * delete that lands meanwhile may already have removed the name: when the fork is no longer ready
 * after the UPSERT, the name is removed again here and the refresh stops (its undo follows).
 */
export const step = defineStep('switch-dns', [parts.store, parts.dns], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  const refresh = refreshOf(fork, state);
  if (!refresh.endpoint) throw new ForkStateConflictError(`refresh ${refresh.attempt} has no endpoint`);
  await rt.store.refreshes.advance(fork.id, refresh.attempt, {
    from: ['switching'],
    step: 'moving the DNS name',
    onlyWhileReady: true,
  });
  await rt.dns.upsert(fork.dnsName, refresh.endpoint.host);
  const after = await rt.store.mustGet(fork.id);
  if (after.status !== 'ready') {
    await rt.dns.removeIfPointsTo(fork.dnsName, refresh.endpoint.host);
    throw new ForkStateConflictError(`fork ${fork.id} is ${after.status}: its refresh stops`);
  }
  return {};
});
export const handler = step.handler;
