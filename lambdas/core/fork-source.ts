import type { EngineStrategy, SourceDatabase } from './engines/engine.js';
import { SourceNotFoundError } from './errors.js';
import type { ForkRecord } from './fork.js';
import type { RuntimeWith } from './runtime-types.js';

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
