import * as parts from '../core/runtime-parts.js';
import { tearDown } from './fork-engine.js';
import { checked, defineAwaitedStep, nextPoll } from './step.js';

/**
 * Waits until the databases a teardown deletes (and the snapshots they were restored from) no
 * longer exist, deleting again each time.
 */
export const step = defineAwaitedStep('check-gone', [parts.store, parts.engines], async (state, rt) => {
  const poll = nextPoll(state, rt, 'gone');
  const fork = await rt.store.mustGet(state.forkId);
  return checked(await tearDown(fork, state, rt), poll);
});
export const handler = step.handler;
