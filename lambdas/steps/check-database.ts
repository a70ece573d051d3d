import type { EngineStrategy, ForkDatabase } from '../core/engines/engine.js';
import { assertDatabaseNotFailed } from '../core/engines/failure-states.js';
import { forkSource } from '../core/fork-source.js';
import { writerInstanceId } from '../core/ids.js';
import { buildRestorePlan } from '../core/restore-plan.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { assertWanted, type DatabaseTarget, databaseTarget } from './database-target.js';
import { forkEngines } from './fork-engine.js';
import { checked, defineAwaitedStep, nextPoll } from './step.js';

/**
 * After `create-instances`: a cluster whose writer does not exist yet could not take it then (the
 * cluster was busy, or was just modified), so the check asks the engine again; it creates the
 * writer once the cluster is `available` again.
 */
async function instancesReady(
  target: DatabaseTarget,
  engine: EngineStrategy,
  database: ForkDatabase,
  rt: RuntimeWith<'engines'>,
): Promise<boolean> {
  if (engine.isAvailable(database)) return true;
  const writerId = writerInstanceId(target.databaseId);
  if (!database.instances || database.instances.some((instance) => instance.id === writerId)) return false;
  const { source } = await forkSource(target.fork, rt);
  return engine.createInstances(buildRestorePlan(target.fork, source, rt.env.policy, target));
}

/**
 * Two waits use this check. Right after `restore` (the fork, or its refresh, is at `restoring`) it
 * waits for the database itself, instance or cluster: a restored cluster has no instances yet, and
 * `create-instances` can only add them to an available cluster. After `create-instances` it waits
 * until the database and all its instances are available (the engine's `isAvailable`), creating
 * the writer when `create-instances` could not yet. A failed status ends either wait at once.
 */
export const step = defineAwaitedStep('check-database', [parts.store, parts.engines], async (state, rt) => {
  const poll = nextPoll(state, rt, 'database');
  const target = await databaseTarget(state, rt);
  assertWanted(target);
  const [engine] = forkEngines(target.fork, rt);
  const database = engine ? await engine.describeFork(target.databaseId) : undefined;
  assertDatabaseNotFailed(target.databaseId, database);
  if (!engine || !database) return checked(false, poll);
  if (target.step === 'restoring') return checked(database.status === 'available', poll);
  return checked(await instancesReady(target, engine, database, rt), poll);
});
export const handler = step.handler;
