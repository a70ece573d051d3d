import type { ForkRecord } from './fork.js';
import { freshSnapshotId } from './ids.js';

/**
 * Which databases a fork has. The create restores `<fork id>`; each refresh builds `<fork id>-r<n>`
 * (lambdas/core/ids.ts), which takes over once ready, and then deletes the one it replaced. So a
 * fork has one database, and during a refresh up to two: the one serving it and the new one (or,
 * after the switch, the old one being deleted). Every teardown asks for all of them.
 */

/** The database the fork's secret and DNS name point at. */
export function currentDatabaseId(fork: Pick<ForkRecord, 'id' | 'databaseId'>): string {
  return fork.databaseId ?? fork.id;
}

/** Every database the fork may have now: the serving one, a refresh's new one and the one it replaced. */
export function databasesOf(fork: Pick<ForkRecord, 'id' | 'databaseId' | 'refresh'>): string[] {
  const ids = [currentDatabaseId(fork)];
  if (fork.refresh) ids.push(fork.refresh.databaseId, fork.refresh.previousDatabaseId);
  return [...new Set(ids)];
}

/**
 * The databases a live fork still needs: the serving one, and the new one of a refresh that has
 * not ended (until it takes over). Anything else tagged with the fork's id is a leftover (the
 * database a refresh replaced, or the new one of a refresh whose workflow died).
 */
export function claimedDatabases(fork: Pick<ForkRecord, 'id' | 'databaseId' | 'refresh'>): string[] {
  const ids = [currentDatabaseId(fork)];
  if (fork.refresh && (fork.refresh.state === 'running' || fork.refresh.state === 'switching')) {
    ids.push(fork.refresh.databaseId);
  }
  return [...new Set(ids)];
}

/**
 * The fresh snapshot of the source a database was restored from, if one may exist: the create's
 * (`<fork id>-source`, only for a fresh-snapshot create) or a refresh's (`<fork id>-r<n>-source`,
 * looked for whatever the refresh's restore: a missing snapshot costs one Describe).
 */
export function freshSnapshotOf(
  fork: Pick<ForkRecord, 'id' | 'restore'>,
  databaseId: string,
): string | undefined {
  if (databaseId !== fork.id) return freshSnapshotId(databaseId);
  return fork.restore.requested.type === 'fresh-snapshot' ? freshSnapshotId(fork.id) : undefined;
}

/**
 * Every database endpoint the fork's DNS name may point at: the serving database's, and the new
 * one's while a refresh moves the name (recorded before the CNAME is changed, so a teardown that
 * overtakes the switch still finds it).
 */
export function endpointHostsOf(fork: Pick<ForkRecord, 'endpoint' | 'refresh'>): string[] {
  const hosts = [fork.endpoint?.host, fork.refresh?.endpoint?.host].filter(
    (host): host is string => host !== undefined,
  );
  return [...new Set(hosts)];
}
