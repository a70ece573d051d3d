import { forkEngines } from './fork-engine.js';
import { checked, defineStep, nextPoll } from './step.js';

/** Waits until the fork's database no longer exists. */
export const step = defineStep('check-gone', async (state, rt) => {
  const poll = nextPoll(state, rt, 'gone');
  const fork = await rt.store.mustGet(state.forkId);
  let gone = true;
  for (const engine of forkEngines(fork, rt)) {
    const database = await engine.describeFork(fork.id);
    // Deletion can stall on a state change (e.g. still modifying): ask again, it is idempotent.
    if (database) {
      gone = false;
      await engine.deleteFork(fork.id, fork.id);
    }
  }
  return checked(gone, poll);
});
export const handler = step.handler;
