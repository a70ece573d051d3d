import { buildRestorePlan } from '../core/restore-plan.js';
import * as parts from '../core/runtime-parts.js';
import { forkSource } from './fork-engine.js';
import { defineStep, waitStarts } from './step.js';

/** Starts the restore of the fork's database (idempotent: an existing fork database of ours is fine). */
export const step = defineStep('restore', [parts.store, parts.engines], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  await rt.store.transition(fork.id, { step: 'restoring', message: `restoring ${fork.id}` });
  const { engine, source } = await forkSource(fork, rt);
  await engine.restore(buildRestorePlan(fork, source, rt.env.policy));
  return waitStarts(false);
});
export const handler = step.handler;
