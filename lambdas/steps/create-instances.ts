import { buildRestorePlan } from '../core/restore-plan.js';
import * as parts from '../core/runtime-parts.js';
import { forkSource } from './fork-engine.js';
import { defineStep, waitStarts } from './step.js';

/** Creates what a restore does not (a restored cluster has zero instances); a no-op for RDS instances. */
export const step = defineStep('create-instances', [parts.store, parts.engines], async (state, rt) => {
  const fork = await rt.store.mustGet(state.forkId);
  await rt.store.transition(fork.id, { step: 'creating-instances', message: 'creating database instances' });
  const { engine, source } = await forkSource(fork, rt);
  const ready = await engine.createInstances(buildRestorePlan(fork, source, rt.env.policy));
  return waitStarts(ready);
});
export const handler = step.handler;
