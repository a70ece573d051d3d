import { assertSnapshotNotFailed } from '../core/engines/failure-states.js';
import * as parts from '../core/runtime-parts.js';
import { assertWanted, databaseTarget } from './database-target.js';
import { forkEngines } from './fork-engine.js';
import { checked, defineAwaitedStep, nextPoll } from './step.js';

/** Waits for the fresh snapshot of the source to become available. */
export const step = defineAwaitedStep('check-snapshot', [parts.store, parts.engines], async (state, rt) => {
  const poll = nextPoll(state, rt, 'snapshot');
  const target = await databaseTarget(state, rt);
  assertWanted(target);
  const snapshotId = target.restore.resolved?.snapshotId ?? '';
  const [engine] = forkEngines(target.fork, rt);
  const snapshot = engine ? await engine.describeSnapshot(snapshotId) : undefined;
  assertSnapshotNotFailed(snapshotId, snapshot?.status);
  return checked(snapshot?.status === 'available', poll);
});
export const handler = step.handler;
