import { BackupNotFoundError, RestoreFailedError } from '../errors.js';
import type { ForkDatabase } from './engine.js';

/**
 * Statuses from which a database being made never becomes `available` by itself: a fork that meets
 * one fails at once (its cleanup removes it) rather than waiting out the wait budget.
 *
 * - DB instances (RDS, and Aurora/DocumentDB members): "Viewing Amazon RDS DB instance status",
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html, and
 *   "Monitoring an Amazon DocumentDB instance's status",
 *   https://docs.aws.amazon.com/documentdb/latest/developerguide/monitoring_docdb-instance_status.html
 * - DB clusters: "DB cluster status", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Status.html
 *   (`cloning-failed`, `migration-failed`, `inaccessible-encryption-credentials(-recoverable)`), and
 *   "Monitoring an Amazon DocumentDB cluster's status",
 *   https://docs.aws.amazon.com/documentdb/latest/developerguide/monitoring_docdb-cluster_status.html
 *   (`migration-failed`, `inaccessible-encryption-credentials`).
 */
export const FAILED_DATABASE_STATES: readonly string[] = [
  'failed',
  'restore-error',
  'incompatible-option-group',
  'incompatible-parameters',
  'incompatible-network',
  'incompatible-restore',
  'insufficient-capacity',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'storage-full',
  'cloning-failed',
  'migration-failed',
];

/** DB (cluster) snapshot statuses that will not become `available` (DescribeDBSnapshots `Status`). */
export const FAILED_SNAPSHOT_STATES: readonly string[] = ['failed', 'error', 'incompatible-restore'];

export const isFailedDatabaseState = (status: string | undefined): boolean =>
  status !== undefined && FAILED_DATABASE_STATES.includes(status);

/** Throws RestoreFailedError naming the status when `what` is in a failed state. */
export function assertNotFailed(what: string, status: string | undefined): void {
  if (isFailedDatabaseState(status)) throw new RestoreFailedError(`${what} is ${status}`);
}

/** Throws BackupNotFoundError naming the status when the snapshot failed. */
export function assertSnapshotNotFailed(snapshotId: string, status: string | undefined): void {
  if (status !== undefined && FAILED_SNAPSHOT_STATES.includes(status)) {
    throw new BackupNotFoundError(`snapshot ${snapshotId} ended ${status}`);
  }
}

/** A fork database (or one of its instances) in a failed status fails the fork now, naming the status. */
export function assertDatabaseNotFailed(forkId: string, database: ForkDatabase | undefined): void {
  assertNotFailed(`the fork database ${forkId}`, database?.status);
  for (const instance of database?.instances ?? []) {
    assertNotFailed(`instance ${instance.id} of the fork database`, instance.status);
  }
}
