import { assertDatabaseNotFailed } from '../core/engines/failure-states.js';
import * as parts from '../core/runtime-parts.js';
import { forkEngines } from './fork-engine.js';
import { assertStillCreating, checked, defineStep, nextPoll } from './step.js';

/** Waits until the password change is applied and the database is available again. */
export const step = defineStep('check-credentials', [parts.store, parts.engines], async (state, rt) => {
  const poll = nextPoll(state, rt, 'credentials');
  const fork = await rt.store.mustGet(state.forkId);
  assertStillCreating(fork);
  const [engine] = forkEngines(fork, rt);
  const database = engine ? await engine.describeFork(fork.id) : undefined;
  assertDatabaseNotFailed(fork.id, database);
  const ready = Boolean(engine && database && engine.isAvailable(database) && !database.passwordPending);
  // The endpoint travels to register-dns in the state, so that step describes nothing.
  return { ...checked(ready, poll), ...(ready && database?.endpoint ? { endpoint: database.endpoint } : {}) };
});
export const handler = step.handler;
