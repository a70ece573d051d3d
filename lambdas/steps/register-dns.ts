import { RestoreFailedError } from '../core/errors.js';
import * as parts from '../core/runtime-parts.js';
import { forkEngines } from './fork-engine.js';
import { defineStep } from './step.js';

/** Points the fork's stable name `<name>.<zone>` at its database endpoint (CNAME, TTL 60). */
export const step = defineStep('register-dns', [parts.store, parts.engines, parts.dns], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  await rt.store.transition(fork.id, { step: 'registering-dns', message: `registering ${fork.dnsName}` });
  const [engine] = forkEngines(fork, rt);
  const database = engine ? await engine.describeFork(fork.id) : undefined;
  if (!database?.endpoint) throw new RestoreFailedError(`the fork database ${fork.id} has no endpoint`);
  // The endpoint is recorded BEFORE the record is written: remove-dns finds the CNAME by it, so a
  // step that dies after the UPSERT still leaves nothing behind.
  await rt.store.transition(fork.id, {
    step: 'registering-dns',
    message: `${fork.dnsName} → ${database.endpoint.host}`,
    patch: { endpoint: database.endpoint },
  });
  await rt.dns.upsert(fork.dnsName, database.endpoint.host);
  return {};
});
export const handler = step.handler;
