import type { EngineStrategy, ForkDatabase } from '../core/engines/engine.js';
import { assertDatabaseNotFailed } from '../core/engines/failure-states.js';
import type { ForkRecord } from '../core/fork.js';
import { writerInstanceId } from '../core/ids.js';
import { buildRestorePlan } from '../core/restore-plan.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import { forkEngines, forkSource } from './fork-engine.js';
import { assertStillCreating, checked, defineAwaitedStep, nextPoll } from './step.js';

/**
 * After `create-instances`: a cluster whose writer does not exist yet could not take it then (the
 * cluster was busy, or was just modified), so the check asks the engine again; it creates the
 * writer once the cluster is `available` again.
 */
async function instancesReady(
  fork: ForkRecord,
  engine: EngineStrategy,
  database: ForkDatabase,
  rt: RuntimeWith<'engines'>,
): Promise<boolean> {
  if (engine.isAvailable(database)) return true;
  const writerId = writerInstanceId(fork.id);
  if (!database.instances || database.instances.some((instance) => instance.id === writerId)) return false;
  const { source } = await forkSource(fork, rt);
  return engine.createInstances(buildRestorePlan(fork, source, rt.env.policy));
}

/**
 * Two waits use this check. Right after `restore` (the fork is at `restoring`) it waits for the
 * database itself, instance or cluster: a restored cluster has no instances yet, and
 * `create-instances` can only add them to an available cluster. After `create-instances` it waits
 * until the database and all its instances are available (the engine's `isAvailable`), creating
 * the writer when `create-instances` could not yet. A failed status ends either wait at once.
 */
export const step = defineAwaitedStep('check-database', [parts.store, parts.engines], async (state, rt) => {
  const poll = nextPoll(state, rt, 'database');
  const fork = await rt.store.mustGet(state.forkId);
  assertStillCreating(fork);
  const [engine] = forkEngines(fork, rt);
  const database = engine ? await engine.describeFork(fork.id) : undefined;
  assertDatabaseNotFailed(fork.id, database);
  if (!engine || !database) return checked(false, poll);
  if (fork.step === 'restoring') return checked(database.status === 'available', poll);
  return checked(await instancesReady(fork, engine, database, rt), poll);
});
export const handler = step.handler;
