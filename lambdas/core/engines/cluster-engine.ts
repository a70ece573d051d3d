import { BackupNotFoundError, errorName, RestoreFailedError, SourceNotAvailableError } from '../errors.js';
import { writerInstanceId } from '../ids.js';
import { type AwsTag, assertManagedBy, forkIdOf } from '../tags.js';
import type { ClusterApi, ClusterDescription, ClusterInstanceDescription } from './cluster-api.js';
import { pendingSettings, pointInTimeOf } from './cluster-restore.js';
import { retagForkCluster } from './cluster-retag.js';
import { toClusterBackup, toClusterSource } from './cluster-source.js';
import { type ClusterTeardown, deleteForkCluster } from './cluster-teardown.js';
import type { Backup, EngineStrategy, ForkDatabase, RestorePlan, SourceDatabase } from './engine.js';
import { assertSnapshotNotFailed } from './failure-states.js';
import {
  allPages,
  changePasswordOnce,
  createOnce,
  deleteManagedSnapshot,
  markerOf,
  newestFirst,
  snapshotTypeOf,
} from './guarded.js';

/**
 * What Aurora and DocumentDB clusters share, driven through `ClusterApi` (cluster-api.ts).
 *
 * A restored cluster has no instances: `createInstances` adds the writer (`<fork id>-1`) once the
 * cluster is available. A fork is available when the cluster and its writer are; its endpoint is
 * the cluster (writer) endpoint. Deleting one deletes its instances first, then the cluster.
 */

/** Returns undefined when the call fails with `notFound`. */
async function unlessNotFound<T>(notFound: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (errorName(error) === notFound) return undefined;
    throw error;
  }
}

export class ClusterEngine implements EngineStrategy {
  readonly supportedRestores = [
    'latest-backup',
    'snapshot',
    'point-in-time',
    'clone',
    'fresh-snapshot',
  ] as const;

  constructor(
    readonly kind: 'aurora-cluster' | 'docdb-cluster',
    /** Values of `Engine` this strategy owns; a cluster of another engine is not its source. */
    private readonly engines: readonly string[],
    private readonly api: ClusterApi,
  ) {}

  private describeCluster(id: string): Promise<ClusterDescription | undefined> {
    return unlessNotFound('DBClusterNotFoundFault', async () => {
      const out = await this.api.describeClusters({ DBClusterIdentifier: id });
      return out.DBClusters?.[0];
    });
  }

  private describeInstance(id: string): Promise<ClusterInstanceDescription | undefined> {
    return unlessNotFound('DBInstanceNotFoundFault', async () => {
      const out = await this.api.describeInstances({ DBInstanceIdentifier: id });
      return out.DBInstances?.[0];
    });
  }

  private instancesOf(clusterId: string): Promise<ClusterInstanceDescription[]> {
    return allPages(async (marker) => {
      const page = await this.api.describeInstances({
        Filters: [{ Name: 'db-cluster-id', Values: [clusterId] }],
        ...markerOf(marker),
      });
      return { items: page.DBInstances, marker: page.Marker };
    });
  }

  private ownsEngine(cluster: ClusterDescription): boolean {
    return this.engines.includes(cluster.Engine ?? '');
  }

  private clusterTags(cluster: ClusterDescription): Promise<Record<string, string>> {
    return this.api.tagsOf(cluster, cluster.DBClusterArn);
  }

  /** The fork's cluster to change: it must exist and be tagged as `forkId`'s. */
  private async forkCluster(targetId: string, forkId: string): Promise<ClusterDescription> {
    const cluster = await this.describeCluster(targetId);
    if (!cluster) throw new RestoreFailedError(`the fork database ${targetId} no longer exists`);
    assertManagedBy(await this.clusterTags(cluster), forkId, `DB cluster ${targetId}`);
    return cluster;
  }

  async describeSource(id: string): Promise<SourceDatabase | undefined> {
    const cluster = await this.describeCluster(id);
    if (!cluster || !this.ownsEngine(cluster)) return undefined;
    const writerId = cluster.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
    const writer = writerId ? await this.describeInstance(writerId) : undefined;
    return toClusterSource(this.kind, cluster, await this.clusterTags(cluster), writer);
  }

  async listSources(): Promise<SourceDatabase[]> {
    const clusters = await allPages(async (marker) => {
      const page = await this.api.describeClusters({
        // DocumentDB's DescribeDBClusters also lists RDS and Neptune clusters unless filtered.
        Filters: [{ Name: 'engine', Values: [...this.engines] }],
        ...markerOf(marker),
      });
      return { items: page.DBClusters, marker: page.Marker };
    });
    const own = clusters.filter((cluster) => this.ownsEngine(cluster));
    return Promise.all(
      own.map(async (cluster) => toClusterSource(this.kind, cluster, await this.clusterTags(cluster))),
    );
  }

  async listBackups(source: SourceDatabase): Promise<Backup[]> {
    const snapshots = await allPages(async (marker) => {
      const page = await this.api.describeSnapshots({ DBClusterIdentifier: source.id, ...markerOf(marker) });
      return { items: page.DBClusterSnapshots, marker: page.Marker };
    });
    return newestFirst(await Promise.all(snapshots.map((snapshot) => toClusterBackup(this.api, snapshot))));
  }

  async describeSnapshot(snapshotId: string): Promise<Backup | undefined> {
    const snapshot = await unlessNotFound('DBClusterSnapshotNotFoundFault', async () => {
      const out = await this.api.describeSnapshots({
        DBClusterSnapshotIdentifier: snapshotId,
        ...snapshotTypeOf(snapshotId),
      });
      return out.DBClusterSnapshots?.[0];
    });
    return snapshot ? toClusterBackup(this.api, snapshot) : undefined;
  }

  createSnapshot(source: SourceDatabase, snapshotId: string, tags: AwsTag[]): Promise<void> {
    return createOnce({
      resource: `cluster snapshot ${snapshotId}`,
      forkId: forkIdOf(tags),
      existingTags: async () => (await this.describeSnapshot(snapshotId))?.tags,
      create: () =>
        this.api.createSnapshot({
          DBClusterIdentifier: source.id,
          DBClusterSnapshotIdentifier: snapshotId,
          Tags: tags,
        }),
      alreadyExists: 'DBClusterSnapshotAlreadyExistsFault',
    });
  }

  deleteSnapshot(snapshotId: string, forkId: string): Promise<boolean> {
    return deleteManagedSnapshot({
      snapshotId,
      forkId,
      describe: () => this.describeSnapshot(snapshotId),
      remove: () => this.api.deleteSnapshot(snapshotId),
      notFound: 'DBClusterSnapshotNotFoundFault',
      busy: 'InvalidDBClusterSnapshotStateFault',
    });
  }

  /**
   * Restores a snapshot with the engine version it holds: RestoreDBClusterFromSnapshot's
   * `EngineVersion` otherwise defaults to "the default version for the database engine in the
   * Amazon Web Services Region" (@aws-sdk/client-rds), which may be a major version away.
   * By identifier: restores by an automated cluster snapshot's ARN are not portable.
   */
  private async restoreSnapshot(plan: RestorePlan, snapshotId: string): Promise<unknown> {
    const snapshot = await this.describeSnapshot(snapshotId);
    if (!snapshot) throw new BackupNotFoundError(`snapshot ${snapshotId} no longer exists`);
    assertSnapshotNotFailed(snapshotId, snapshot.status);
    return this.api.restoreFromSnapshot(plan, {
      id: snapshotId,
      ...(snapshot.engineVersion ? { engineVersion: snapshot.engineVersion } : {}),
    });
  }

  restore(plan: RestorePlan): Promise<void> {
    const { target } = plan;
    return createOnce({
      resource: `DB cluster ${plan.targetId}`,
      forkId: plan.forkId,
      existingTags: async () => {
        const existing = await this.describeCluster(plan.targetId);
        return existing && this.clusterTags(existing);
      },
      create: () =>
        target.type === 'snapshot'
          ? this.restoreSnapshot(plan, target.snapshotId)
          : this.api.restoreToPointInTime(plan, pointInTimeOf(target)),
      alreadyExists: 'DBClusterAlreadyExistsFault',
    });
  }

  /**
   * Adds the writer `<fork id>-1` to the restored cluster, of the requested class, else the
   * source writer's (`db.serverless` for Serverless v2), with the source writer's DB parameter
   * group. Each call does the next thing the cluster allows, and is true once the writer is
   * available: AWS rejects CreateDBInstance into a cluster that is not `available`
   * (InvalidDBClusterStateFault; "To add an instance to a cluster, the cluster must be in an
   * available state", Amazon DocumentDB instance lifecycle), so while the cluster is busy, or right
   * after the ModifyDBCluster of settings the restore could not take, it adds nothing and answers
   * false; the instances check calls again.
   */
  async createInstances(plan: RestorePlan): Promise<boolean> {
    const cluster = await this.forkCluster(plan.targetId, plan.forkId);
    const id = writerInstanceId(plan.targetId);
    const { instanceClass } = plan;
    if (!instanceClass) {
      throw new SourceNotAvailableError(
        `${plan.source.id} has no writer instance to copy an instance class from; set overrides.instanceClass`,
      );
    }
    if (cluster.Status !== 'available') return false;
    const settings = pendingSettings(plan, cluster);
    if (Object.keys(settings).length > 0) {
      await this.api.modifyCluster({
        DBClusterIdentifier: plan.targetId,
        ...settings,
        ApplyImmediately: true,
      });
      return false;
    }
    let writerStatus: string | undefined;
    await createOnce({
      resource: `DB instance ${id}`,
      forkId: plan.forkId,
      existingTags: async () => {
        const writer = await this.describeInstance(id);
        writerStatus = writer?.DBInstanceStatus;
        return writer && this.api.tagsOf(writer, writer.DBInstanceArn);
      },
      create: () => this.api.createInstance(plan, { id, instanceClass }),
      alreadyExists: 'DBInstanceAlreadyExistsFault',
    });
    return writerStatus === 'available';
  }

  isAvailable(fork: ForkDatabase): boolean {
    const instances = fork.instances ?? [];
    return (
      fork.status === 'available' &&
      instances.some((instance) => instance.writer) &&
      instances.every((instance) => instance.status === 'available')
    );
  }

  async describeFork(targetId: string): Promise<ForkDatabase | undefined> {
    const cluster = await this.describeCluster(targetId);
    if (!cluster) return undefined;
    const writers = new Set(
      (cluster.DBClusterMembers ?? []).filter((m) => m.IsClusterWriter).map((m) => m.DBInstanceIdentifier),
    );
    const instances = await this.instancesOf(targetId);
    return {
      id: targetId,
      ...(cluster.DBClusterArn ? { arn: cluster.DBClusterArn } : {}),
      status: cluster.Status ?? 'unknown',
      tags: await this.clusterTags(cluster),
      // The cluster (writer) endpoint: it follows the writer, whichever instance that is.
      ...(cluster.Endpoint ? { endpoint: { host: cluster.Endpoint, port: cluster.Port ?? 0 } } : {}),
      passwordPending: Boolean(cluster.PendingModifiedValues?.MasterUserPassword),
      instances: instances.map((instance) => ({
        id: instance.DBInstanceIdentifier ?? '',
        status: instance.DBInstanceStatus ?? 'unknown',
        writer: writers.has(instance.DBInstanceIdentifier),
      })),
    };
  }

  /** Without ApplyImmediately the change would wait for the maintenance window. */
  async setMasterPassword(targetId: string, forkId: string, password: string): Promise<void> {
    await this.forkCluster(targetId, forkId);
    await changePasswordOnce(
      () =>
        this.api.modifyCluster({
          DBClusterIdentifier: targetId,
          MasterUserPassword: password,
          ApplyImmediately: true,
        }),
      async () => (await this.describeCluster(targetId))?.Status,
    );
  }

  deleteFork(targetId: string, forkId: string): Promise<void> {
    return deleteForkCluster(this.reads(), targetId, forkId);
  }

  retag(targetId: string, forkId: string, tags: AwsTag[], remove: readonly string[]): Promise<void> {
    return retagForkCluster(this.reads(), targetId, forkId, tags, remove);
  }

  /** What the tag-guarded teardown and retagging read, bound to this engine. */
  private reads(): ClusterTeardown {
    return {
      api: this.api,
      describeCluster: (id) => this.describeCluster(id),
      clusterTags: (cluster) => this.clusterTags(cluster),
      instancesOf: (id) => this.instancesOf(id),
    };
  }
}
