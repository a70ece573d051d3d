import type { EngineStrategy, SourceDatabase } from '../core/engines/engine.js';
import { SourceNotFoundError } from '../core/errors.js';
import type { ForkRecord } from '../core/fork.js';
import { freshSnapshotId } from '../core/ids.js';
import type { RuntimeWith } from '../core/runtime-types.js';

/** The engine and (freshly described) source of a fork whose source was resolved. */
export async function forkSource(
  fork: ForkRecord,
  rt: RuntimeWith<'engines'>,
): Promise<{ engine: EngineStrategy; source: SourceDatabase }> {
  if (!fork.source) throw new SourceNotFoundError(`fork ${fork.id} has no resolved source yet`);
  const engine = rt.engines.get(fork.source.kind);
  const source = await engine.describeSource(fork.source.id);
  if (!source) throw new SourceNotFoundError(`source ${fork.source.id} no longer exists`);
  return { engine, source };
}

/**
 * Deletes the fork's database and, for a fresh-snapshot fork, the source snapshot it took; asks
 * again on every call (a delete can stall on a state change). True once both are gone.
 */
export async function teardownDatabase(fork: ForkRecord, rt: RuntimeWith<'engines'>): Promise<boolean> {
  let gone = true;
  for (const engine of forkEngines(fork, rt)) {
    await engine.deleteFork(fork.id, fork.id);
    if (await engine.describeFork(fork.id)) gone = false;
    if (fork.restore.requested.type === 'fresh-snapshot') {
      if (!(await engine.deleteSnapshot(freshSnapshotId(fork.id), fork.id))) gone = false;
    }
  }
  return gone;
}

/** Engines that may hold this fork's database: its own, or every one if resolution never finished. */
export function forkEngines(fork: ForkRecord, rt: RuntimeWith<'engines'>): EngineStrategy[] {
  return fork.source ? [rt.engines.get(fork.source.kind)] : rt.engines.all();
}
