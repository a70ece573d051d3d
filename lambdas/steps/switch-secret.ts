import { ForkStateConflictError } from '../core/errors.js';
import * as parts from '../core/runtime-parts.js';
import { refreshOf } from './database-target.js';
import { defineStep } from './step.js';

/**
 * The switch begins: the refresh is recorded `switching` with the new database's endpoint (so a
 * teardown that overtakes the switch finds the DNS name wherever it points), only while the fork is
 * ready; then the secret's AWSCURRENT moves to the staged version. Readers get the old database's
 * host and password until then, the new one's after: both accept their own password.
 */
export const step = defineStep('switch-secret', [parts.store, parts.secrets], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  const refresh = refreshOf(fork, state);
  const endpoint = state.endpoint ?? refresh.endpoint;
  if (!endpoint) throw new ForkStateConflictError(`refresh ${refresh.attempt} has no endpoint to switch to`);
  await rt.store.refreshes.advance(fork.id, refresh.attempt, {
    from: ['running', 'switching'],
    to: 'switching',
    step: 'switching',
    endpoint,
    onlyWhileReady: true,
    ...(refresh.state === 'running'
      ? {
          message: `refresh ${refresh.attempt}: moving the secret and ${fork.dnsName} to ${refresh.databaseId}`,
        }
      : {}),
  });
  await rt.secrets.versions.promote(fork.id, refresh.databaseId);
  return {};
});
export const handler = step.handler;
