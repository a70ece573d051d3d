import type { ForkPolicy } from './config.js';
import type { SourceDatabase } from './engines/engine.js';
import { SourceNotAllowedError, SourceNotAvailableError } from './errors.js';
import { TAG } from './tags.js';

/** Safety invariant 5: only allow-listed sources (by id/ARN, or tagged dbfork:allow-fork=true). */
export function isForkAllowed(source: SourceDatabase, policy: ForkPolicy): boolean {
  if (policy.allowedSources.includes(source.id) || policy.allowedSources.includes(source.arn)) return true;
  return policy.allowTaggedSources && source.tags[TAG.allowFork] === 'true';
}

export function assertForkable(source: SourceDatabase, policy: ForkPolicy): void {
  if (source.tags[TAG.managed] === 'true') {
    throw new SourceNotAllowedError(`"${source.id}" is itself a dbfork fork; fork its source instead`);
  }
  if (!isForkAllowed(source, policy)) {
    throw new SourceNotAllowedError(
      `"${source.id}" is not allowed to be forked: add it to the dbfork config's allowedSources, or tag it ${TAG.allowFork}=true`,
      { details: [{ path: 'source', message: 'source not allow-listed' }] },
    );
  }
  if (source.status !== 'available') {
    throw new SourceNotAvailableError(`"${source.id}" is ${source.status}; it can be forked once it is available`);
  }
}
