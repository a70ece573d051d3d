import type { EngineStrategy, SourceDatabase } from '../core/engines/engine.js';
import { SourceNotFoundError } from '../core/errors.js';
import type { ForkRecord } from '../core/fork.js';
import type { Runtime } from '../core/runtime.js';

/** The engine and (freshly described) source of a fork whose source was resolved. */
export async function forkSource(fork: ForkRecord, rt: Runtime): Promise<{ engine: EngineStrategy; source: SourceDatabase }> {
  if (!fork.source) throw new SourceNotFoundError(`fork ${fork.id} has no resolved source yet`);
  const engine = rt.engines.get(fork.source.kind);
  const source = await engine.describeSource(fork.source.id);
  if (!source) throw new SourceNotFoundError(`source ${fork.source.id} no longer exists`);
  return { engine, source };
}

/** Engines that may hold this fork's database: its own, or every one if resolution never finished. */
export function forkEngines(fork: ForkRecord, rt: Runtime): EngineStrategy[] {
  return fork.source ? [rt.engines.get(fork.source.kind)] : rt.engines.all();
}
