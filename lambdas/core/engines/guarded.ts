import { AddTagsToResourceCommand, type RDSClient, RemoveTagsFromResourceCommand } from '@aws-sdk/client-rds';
import { errorName } from '../errors.js';
import { assertManagedBy } from '../tags.js';
import type { Backup } from './engine.js';

/**
 * The idempotent, tag-guarded create and delete every engine strategy performs, and the listing
 * helpers they share. A step may run twice (Step Functions retries, a lost answer): creating what
 * already exists must succeed when it is this fork's, and refuse when it is not.
 */

export interface CreateOnce {
  /** What the resource is, for the refusal message: "DB cluster fork-…". */
  resource: string;
  forkId: string;
  /** The tags of the resource if it exists already. */
  existingTags: () => Promise<Record<string, string> | undefined>;
  create: () => Promise<unknown>;
  /** Error name of "already exists": a race with our own earlier attempt. */
  alreadyExists: string;
}

/** Creates the resource unless it exists; an existing one (or one that won the race) must be this fork's. */
export async function createOnce(spec: CreateOnce): Promise<void> {
  const existing = await spec.existingTags();
  if (existing) {
    assertManagedBy(existing, spec.forkId, spec.resource);
    return;
  }
  try {
    await spec.create();
  } catch (error) {
    if (errorName(error) !== spec.alreadyExists) throw error;
    assertManagedBy((await spec.existingTags()) ?? {}, spec.forkId, spec.resource);
  }
}

/**
 * The start of every database delete: nothing to do when it is gone or already being deleted, and
 * refused (NotManagedResourceError) unless it is this fork's.
 */
export function needsDelete(
  database: { status: string; tags: Record<string, string> } | undefined,
  forkId: string,
  resource: string,
): boolean {
  if (!database) return false;
  assertManagedBy(database.tags, forkId, resource);
  return database.status !== 'deleting';
}

export interface DeleteSnapshot {
  snapshotId: string;
  forkId: string;
  describe: () => Promise<Backup | undefined>;
  remove: () => Promise<unknown>;
  notFound: string;
  /** Error name of "not in a state to be deleted" (still being taken). */
  busy: string;
}

/** Tag-guarded; true once the snapshot is gone (one still being taken is deleted on a later call). */
export async function deleteManagedSnapshot(spec: DeleteSnapshot): Promise<boolean> {
  const existing = await spec.describe();
  if (!existing) return true;
  assertManagedBy(existing.tags ?? {}, spec.forkId, `snapshot ${spec.snapshotId}`);
  // A snapshot cannot be deleted while it is being taken: the caller's wait loop asks again.
  if (existing.status === 'creating' || existing.status === 'deleting') return false;
  try {
    await spec.remove();
  } catch (error) {
    if (errorName(error) === spec.notFound) return true;
    if (errorName(error) === spec.busy) return false;
    throw error;
  }
  return (await spec.describe()) === undefined;
}

/** Every item of a Marker-paginated Describe*, in order. */
export async function allPages<T>(
  page: (marker: string | undefined) => Promise<{ items: T[] | undefined; marker: string | undefined }>,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const result = await page(marker);
    out.push(...(result.items ?? []));
    marker = result.marker;
  } while (marker);
  return out;
}

export const markerOf = (marker: string | undefined) => (marker ? { Marker: marker } : {});

/** Backups newest first; ones still being taken (no time yet) last. */
export function newestFirst(backups: Backup[]): Backup[] {
  return backups.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

export const iso = (date: Date | undefined) => date?.toISOString();

/**
 * What a Describe(DB|DBCluster)Snapshots call by identifier must add for an automated snapshot
 * (`rds:…`): "If this identifier is for an automated snapshot, the SnapshotType parameter must also
 * be specified" (`DBSnapshotIdentifier` / `DBClusterSnapshotIdentifier` in @aws-sdk/client-rds and
 * @aws-sdk/client-docdb). Without it AWS finds no such snapshot.
 */
export function snapshotTypeOf(snapshotId: string): { SnapshotType?: 'automated' } {
  return snapshotId.startsWith('rds:') ? { SnapshotType: 'automated' } : {};
}

/** Errors of a delete that meets a database not deletable in its current state (creating, modifying…). */
export const BUSY_STATE_FAULTS: readonly string[] = [
  'InvalidDBInstanceStateFault',
  'InvalidDBInstanceState',
  'InvalidDBClusterStateFault',
  'InvalidDBClusterState',
];

/**
 * IAM allows deletes only on resources tagged `dbfork:managed`. A database that vanished between
 * our Describe and our Delete (two teardowns at once: a safety-net check and the RDS-event handler)
 * has no tags left to match, so AWS may refuse the Delete as AccessDenied rather than NotFound.
 */
const ACCESS_DENIED = ['AccessDenied', 'AccessDeniedException'];

const GONE = ['DBClusterNotFoundFault', 'DBInstanceNotFoundFault'];

/**
 * Runs a read of a database or snapshot just described (its tags, by ARN): undefined when it went
 * away in between, as ListTagsForResource answers DBClusterNotFoundFault / DBInstanceNotFound /
 * DBSnapshotNotFound for an ARN that names nothing (RDS API Reference). Gone is not "untagged":
 * no guard may see it so.
 */
const READ_GONE = [...GONE, 'DBSnapshotNotFoundFault', 'DBClusterSnapshotNotFoundFault'];

export async function unlessGone<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (READ_GONE.includes(errorName(error) ?? '')) return undefined;
    throw error;
  }
}

/**
 * Runs a teardown delete. A database already gone (NotFound, or an AccessDenied on one gone by
 * now), or not deletable in its current state yet (InvalidDBInstanceState /
 * InvalidDBClusterStateFault while it is `creating`, `modifying`, `resetting-master-credentials`…),
 * is left to the next call of the gone loop; anything else is thrown.
 */
export async function deleteIfDeletable(
  remove: () => Promise<unknown>,
  stillThere: () => Promise<boolean>,
): Promise<void> {
  try {
    await remove();
  } catch (error) {
    const name = errorName(error) ?? '';
    if (GONE.includes(name) || BUSY_STATE_FAULTS.includes(name)) return;
    if (!ACCESS_DENIED.includes(name) || (await stillThere())) throw error;
  }
}

/** What a database shows while a master password change is applied (RDS and DocumentDB status tables). */
export const RESETTING_CREDENTIALS = 'resetting-master-credentials';

/**
 * Runs a master password change. A database that refuses it because it is already
 * `resetting-master-credentials` is applying ours: the step that calls this is a retry, and every
 * attempt sets the password stored in the fork's secret before the change. Any other refusal stands.
 */
export async function changePasswordOnce(
  change: () => Promise<unknown>,
  currentStatus: () => Promise<string | undefined>,
): Promise<void> {
  try {
    await change();
  } catch (error) {
    if (!BUSY_STATE_FAULTS.includes(errorName(error) ?? '')) throw error;
    if ((await currentStatus()) !== RESETTING_CREDENTIALS) throw error;
  }
}

/** Sets `tags` on a database by ARN and removes `remove` (RDS and DocumentDB: the same API). */
export async function retagResource(
  rds: RDSClient,
  arn: string,
  tags: readonly { Key: string; Value: string }[],
  remove: readonly string[],
): Promise<void> {
  if (tags.length > 0) await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [...tags] }));
  if (remove.length > 0) {
    await rds.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: [...remove] }));
  }
}

/** The snapshot type of a Describe*Snapshots item: automated snapshot ids start with `rds:`. */
export function backupType(snapshotType: string | undefined, id: string | undefined): Backup['type'] {
  return snapshotType === 'automated' || id?.startsWith('rds:') ? 'automated' : 'manual';
}

/** What DB snapshots and DB cluster snapshots share, besides their id, ARN and source fields. */
interface SnapshotFields {
  SnapshotType?: string;
  EngineVersion?: string;
  Status?: string;
  SnapshotCreateTime?: Date;
  Engine?: string;
}

/** A DB snapshot or DB cluster snapshot as a backup. */
export function toBackup(
  ref: { id: string | undefined; arn: string | undefined; sourceId: string | undefined },
  snapshot: SnapshotFields,
  tags: Record<string, string>,
): Backup {
  return {
    id: ref.id ?? '',
    ...(ref.arn ? { arn: ref.arn } : {}),
    type: backupType(snapshot.SnapshotType, ref.id),
    status: snapshot.Status ?? 'unknown',
    ...(snapshot.SnapshotCreateTime ? { createdAt: iso(snapshot.SnapshotCreateTime) } : {}),
    ...(ref.sourceId ? { sourceId: ref.sourceId } : {}),
    ...(snapshot.Engine ? { engine: snapshot.Engine } : {}),
    ...(snapshot.EngineVersion ? { engineVersion: snapshot.EngineVersion } : {}),
    tags,
  };
}

/** The security groups a database is in (not those being removed). */
export function activeSecurityGroupIds(
  groups: readonly { VpcSecurityGroupId?: string | undefined; Status?: string | undefined }[] | undefined,
): string[] {
  return (groups ?? [])
    .filter((g) => g.Status !== 'inactive')
    .flatMap((g) => (g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : []));
}
