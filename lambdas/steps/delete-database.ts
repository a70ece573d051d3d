import { freshSnapshotId } from '../core/ids.js';
import { forkEngines } from './fork-engine.js';
import { defineStep, teardownProgress } from './step.js';

/** Deletes the fork's database (tag-guarded, no final snapshot) and the source snapshot it took. */
export const step = defineStep('delete-database', async (state, rt) => {
  const fork = await teardownProgress(state, rt, 'deleting-database', `deleting database ${state.forkId}`);
  let gone = true;
  for (const engine of forkEngines(fork, rt)) {
    await engine.deleteFork(fork.id, fork.id);
    if (fork.restore.requested.type === 'fresh-snapshot') await engine.deleteSnapshot(freshSnapshotId(fork.id), fork.id);
    if (await engine.describeFork(fork.id)) gone = false;
  }
  return { ready: gone, poll: undefined };
});
export const handler = step.handler;
