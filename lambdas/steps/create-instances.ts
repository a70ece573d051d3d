import { forkSource } from '../core/fork-source.js';
import { buildRestorePlan } from '../core/restore-plan.js';
import * as parts from '../core/runtime-parts.js';
import { databaseTarget, recordProgress } from './database-target.js';
import { defineStep, waitStarts } from './step.js';

/** Creates what a restore does not (a restored cluster has zero instances); a no-op for RDS instances. */
export const step = defineStep('create-instances', [parts.store, parts.engines], async (state, rt) => {
  const target = await databaseTarget(state, rt);
  await recordProgress(target, rt, 'creating-instances', 'creating database instances');
  const { engine, source } = await forkSource(target.fork, rt);
  const ready = await engine.createInstances(buildRestorePlan(target.fork, source, rt.env.policy, target));
  return waitStarts(ready);
});
export const handler = step.handler;
