import { DbForkError } from '../core/errors.js';
import { forkEngines } from './fork-engine.js';
import { checked, defineStep, nextPoll } from './step.js';

export class RestoreFailedError extends DbForkError {
  override readonly name = 'RestoreFailedError';
  readonly code = 'restore_failed';
  readonly statusCode = 502;
}

const FAILED_STATES = [
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'storage-full',
  'inaccessible-encryption-credentials',
];

/** Waits until the fork's database (and all its instances) is available. */
export const step = defineStep('check-database', async (state, rt) => {
  const poll = nextPoll(state, rt, 'database');
  const fork = await rt.store.mustGet(state.forkId);
  const [engine] = forkEngines(fork, rt);
  const database = engine ? await engine.describeFork(fork.id) : undefined;
  if (database && FAILED_STATES.includes(database.status)) {
    throw new RestoreFailedError(`the fork database ${fork.id} is ${database.status}`);
  }
  return checked(Boolean(engine && database && engine.isAvailable(database)), poll);
});
export const handler = step.handler;
