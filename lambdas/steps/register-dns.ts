import { RestoreFailedError } from '../core/errors.js';
import * as parts from '../core/runtime-parts.js';
import { defineStep } from './step.js';

/**
 * Points the fork's stable name `<name>.<zone>` at its database endpoint (CNAME, TTL 60): the
 * endpoint check-credentials saw when the database was ready, passed on in the workflow state.
 */
export const step = defineStep('register-dns', [parts.store, parts.dns], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  await rt.store.transition(fork.id, { step: 'registering-dns', message: `registering ${fork.dnsName}` });
  const endpoint = state.endpoint ?? fork.endpoint;
  if (!endpoint) throw new RestoreFailedError(`the fork database ${fork.id} has no endpoint`);
  // The endpoint is recorded BEFORE the record is written: remove-dns finds the CNAME by it, so a
  // step that dies after the UPSERT still leaves nothing behind.
  await rt.store.transition(fork.id, {
    step: 'registering-dns',
    message: `${fork.dnsName} → ${endpoint.host}`,
    patch: { endpoint },
  });
  await rt.dns.upsert(fork.dnsName, endpoint.host);
  return {};
});
export const handler = step.handler;
