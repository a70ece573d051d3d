import { assertDatabaseNotFailed } from '../core/engines/failure-states.js';
import * as parts from '../core/runtime-parts.js';
import { assertWanted, databaseTarget } from './database-target.js';
import { forkEngines } from './fork-engine.js';
import { checked, defineStep, nextPoll } from './step.js';

/** Waits until the password change is applied and the database is available again. */
export const step = defineStep('check-credentials', [parts.store, parts.engines], async (state, rt) => {
  const poll = nextPoll(state, rt, 'credentials');
  const target = await databaseTarget(state, rt);
  assertWanted(target);
  const [engine] = forkEngines(target.fork, rt);
  const database = engine ? await engine.describeFork(target.databaseId) : undefined;
  assertDatabaseNotFailed(target.databaseId, database);
  const ready = Boolean(engine && database && engine.isAvailable(database) && !database.passwordPending);
  // The endpoint travels in the state to the step that points the name at it (register-dns, switch-dns).
  return { ...checked(ready, poll), ...(ready && database?.endpoint ? { endpoint: database.endpoint } : {}) };
});
export const handler = step.handler;
