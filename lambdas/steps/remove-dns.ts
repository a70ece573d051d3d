import * as parts from '../core/runtime-parts.js';
import { defineStep, teardownProgress } from './step.js';

/** Removes the fork's CNAME, only while it still points at this fork's database. */
export const step = defineStep('remove-dns', [parts.store, parts.dns], async (state, rt) => {
  const fork = await teardownProgress(state, rt, 'removing-dns', 'removing the DNS name');
  if (fork.endpoint) await rt.dns.removeIfPointsTo(fork.dnsName, fork.endpoint.host);
  return {};
});
export const handler = step.handler;
