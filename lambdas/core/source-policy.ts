import type { ForkPolicy } from './config.js';
import type { SourceDatabase } from './engines/engine.js';
import { SourceNotAllowedError, SourceNotAvailableError } from './errors.js';
import type { RestoreRequest } from './fork.js';
import { TAG } from './tags.js';

/** Safety invariant 5: only allow-listed sources (by id/ARN, or tagged dbfork:allow-fork=true). */
export function isForkAllowed(source: SourceDatabase, policy: ForkPolicy): boolean {
  if (policy.allowedSources.includes(source.id) || policy.allowedSources.includes(source.arn)) return true;
  return policy.allowTaggedSources && source.tags[TAG.allowFork] === 'true';
}

/** Restores that read the running source itself rather than its backups. */
const LIVE_RESTORES: readonly RestoreRequest['type'][] = ['fresh-snapshot', 'clone'];
/** States in which a source's backups cannot be trusted to restore (or it is going away). */
const UNUSABLE_STATES = [
  'creating',
  'deleting',
  'failed',
  'inaccessible-encryption-credentials',
  'restore-error',
];

/**
 * Allow-listed, not itself a fork, and in a state the restore can work from: a snapshot or
 * point-in-time restore works from backups (a source that is backing up, modifying or stopped is
 * fine); a fresh snapshot or a clone needs the source `available`. Without `restoreType` only the
 * allow-list is checked (listing backups).
 */
export function assertForkable(
  source: SourceDatabase,
  policy: ForkPolicy,
  restoreType?: RestoreRequest['type'],
): void {
  if (source.tags[TAG.managed] === 'true') {
    throw new SourceNotAllowedError(`"${source.id}" is itself a dbfork fork; fork its source instead`);
  }
  if (!isForkAllowed(source, policy)) {
    throw new SourceNotAllowedError(
      `"${source.id}" is not allowed to be forked: add it to the dbfork config's allowedSources, or tag it ${TAG.allowFork}=true`,
      { details: [{ path: 'source', message: 'source not allow-listed' }] },
    );
  }
  if (restoreType === undefined) return;
  const needsLive = LIVE_RESTORES.includes(restoreType);
  if ((needsLive && source.status !== 'available') || UNUSABLE_STATES.includes(source.status)) {
    throw new SourceNotAvailableError(
      `"${source.id}" is ${source.status}; a ${restoreType} fork can be made once it is available`,
    );
  }
}
