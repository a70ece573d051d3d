import { endpointHostsOf } from '../core/fork-databases.js';
import * as parts from '../core/runtime-parts.js';
import { defineStep, teardownProgress } from './step.js';

/**
 * Removes the fork's CNAME, only while it still points at this fork's database (the serving one,
 * or the new one a refresh was moving the name to).
 */
export const step = defineStep('remove-dns', [parts.store, parts.dns], async (state, rt) => {
  const fork = await teardownProgress(state, rt, 'removing-dns', 'removing the DNS name');
  for (const host of endpointHostsOf(fork)) await rt.dns.removeIfPointsTo(fork.dnsName, host);
  return {};
});
export const handler = step.handler;
