import * as parts from '../core/runtime-parts.js';
import { teardownDatabase } from './fork-engine.js';
import { checked, defineAwaitedStep, nextPoll } from './step.js';

/** Waits until the fork's database (and any snapshot it took) no longer exists, asking again each time. */
export const step = defineAwaitedStep('check-gone', [parts.store, parts.engines], async (state, rt) => {
  const poll = nextPoll(state, rt, 'gone');
  const fork = await rt.store.mustGet(state.forkId);
  return checked(await teardownDatabase(fork, rt), poll);
});
export const handler = step.handler;
