import { RestoreFailedError } from '../core/errors.js';
import { forkEngines } from './fork-engine.js';
import { assertStillCreating, checked, defineStep, nextPoll } from './step.js';

export { RestoreFailedError };

const FAILED_STATES = [
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'storage-full',
  'inaccessible-encryption-credentials',
];

/**
 * Two waits use this check. Right after `restore` (the fork is at `restoring`) it waits for the
 * database itself, instance or cluster: a restored cluster has no instances yet, and
 * `create-instances` can only add them to an available cluster. After `create-instances` it waits
 * until the database and all its instances are available (the engine's `isAvailable`).
 */
export const step = defineStep('check-database', async (state, rt) => {
  const poll = nextPoll(state, rt, 'database');
  const fork = await rt.store.mustGet(state.forkId);
  assertStillCreating(fork);
  const [engine] = forkEngines(fork, rt);
  const database = engine ? await engine.describeFork(fork.id) : undefined;
  if (database && FAILED_STATES.includes(database.status)) {
    throw new RestoreFailedError(`the fork database ${fork.id} is ${database.status}`);
  }
  const failed = database?.instances?.find((instance) => FAILED_STATES.includes(instance.status));
  if (failed) throw new RestoreFailedError(`instance ${failed.id} of the fork database is ${failed.status}`);
  const ready =
    fork.step === 'restoring'
      ? database?.status === 'available'
      : engine && database && engine.isAvailable(database);
  return checked(Boolean(ready), poll);
});
export const handler = step.handler;
