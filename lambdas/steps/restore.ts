import { forkSource } from '../core/fork-source.js';
import { buildRestorePlan } from '../core/restore-plan.js';
import * as parts from '../core/runtime-parts.js';
import { databaseTarget, recordProgress } from './database-target.js';
import { defineStep, waitStarts } from './step.js';

/**
 * Starts the restore of the fork's database, or of a refresh's new one (idempotent: an existing
 * database of ours is fine).
 */
export const step = defineStep('restore', [parts.store, parts.engines], async (state, rt) => {
  const target = await databaseTarget(state, rt);
  await recordProgress(target, rt, 'restoring', `restoring ${target.databaseId}`);
  const { engine, source } = await forkSource(target.fork, rt);
  await engine.restore(buildRestorePlan(target.fork, source, rt.env.policy, target));
  return waitStarts(false);
});
export const handler = step.handler;
