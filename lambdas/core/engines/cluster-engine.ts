import { errorName, RestoreFailedError, SourceNotAvailableError } from '../errors.js';
import { writerInstanceId } from '../ids.js';
import { type AwsTag, assertManagedBy, forkIdOf, tagMap } from '../tags.js';
import type { Backup, EngineStrategy, ForkDatabase, RestorePlan, SourceDatabase } from './engine.js';
import {
  activeSecurityGroupIds,
  allPages,
  backupType,
  createOnce,
  deleteManagedSnapshot,
  iso,
  markerOf,
  needsDelete,
  newestFirst,
  toBackup,
} from './guarded.js';

/**
 * What Aurora and DocumentDB clusters share. DocumentDB's API is the RDS Query API, so one engine
 * drives both through a small port (`ClusterApi`) that each strategy binds to its own SDK
 * (`@aws-sdk/client-rds` or `@aws-sdk/client-docdb`) and its own restore/instance parameters.
 *
 * A restored cluster has no instances: `createInstances` adds the writer (`<fork id>-1`). A fork
 * is available when the cluster and its writer are; its endpoint is the cluster (writer) endpoint.
 * Deleting one deletes its instances first, then the cluster once it has none.
 */

interface Tag {
  Key?: string | undefined;
  Value?: string | undefined;
}

/** The fields of a DB cluster dbfork reads: both SDKs' `DBCluster` fit. */
export interface ClusterDescription {
  DBClusterIdentifier?: string;
  DBClusterArn?: string;
  Engine?: string;
  EngineVersion?: string;
  Status?: string;
  Endpoint?: string;
  Port?: number;
  MasterUsername?: string;
  DatabaseName?: string;
  DBClusterMembers?: { DBInstanceIdentifier?: string; IsClusterWriter?: boolean }[];
  VpcSecurityGroups?: { VpcSecurityGroupId?: string; Status?: string }[];
  DBSubnetGroup?: string;
  DBClusterParameterGroup?: string;
  BackupRetentionPeriod?: number;
  EarliestRestorableTime?: Date;
  LatestRestorableTime?: Date;
  StorageType?: string;
  ServerlessV2ScalingConfiguration?: {
    MinCapacity?: number;
    MaxCapacity?: number;
    SecondsUntilAutoPause?: number;
  };
  PendingModifiedValues?: { MasterUserPassword?: string };
  TagList?: Tag[];
}

export interface ClusterInstanceDescription {
  DBInstanceIdentifier?: string;
  DBInstanceArn?: string;
  DBInstanceClass?: string;
  DBInstanceStatus?: string;
  DBParameterGroups?: { DBParameterGroupName?: string }[];
  TagList?: Tag[];
}

export interface ClusterSnapshotDescription {
  DBClusterSnapshotIdentifier?: string;
  DBClusterSnapshotArn?: string;
  DBClusterIdentifier?: string;
  SnapshotType?: string;
  Status?: string;
  SnapshotCreateTime?: Date;
  Engine?: string;
  TagList?: Tag[];
}

interface Filter {
  Name: string;
  Values: string[];
}

/** What a point-in-time restore restores to: a time, the latest restorable time, or a clone of now. */
export interface PointInTime {
  RestoreType: 'full-copy' | 'copy-on-write';
  RestoreToTime?: Date;
  UseLatestRestorableTime?: boolean;
}

/** The cluster calls, bound to one SDK. Inputs are the parts dbfork's shared logic decides. */
export interface ClusterApi {
  describeClusters(input: {
    DBClusterIdentifier?: string;
    Filters?: Filter[];
    Marker?: string;
  }): Promise<{ DBClusters?: ClusterDescription[]; Marker?: string }>;
  describeInstances(input: {
    DBInstanceIdentifier?: string;
    Filters?: Filter[];
    Marker?: string;
  }): Promise<{ DBInstances?: ClusterInstanceDescription[]; Marker?: string }>;
  describeSnapshots(input: {
    DBClusterIdentifier?: string;
    DBClusterSnapshotIdentifier?: string;
    Marker?: string;
  }): Promise<{ DBClusterSnapshots?: ClusterSnapshotDescription[]; Marker?: string }>;
  /** Tags of a described resource: its TagList, or (DocumentDB, which returns none) asked for by ARN. */
  tagsOf(resource: { TagList?: Tag[] }, arn: string | undefined): Promise<Record<string, string>>;
  createSnapshot(input: {
    DBClusterIdentifier: string;
    DBClusterSnapshotIdentifier: string;
    Tags: AwsTag[];
  }): Promise<unknown>;
  deleteSnapshot(snapshotId: string): Promise<unknown>;
  restoreFromSnapshot(plan: RestorePlan, snapshotId: string): Promise<unknown>;
  restoreToPointInTime(plan: RestorePlan, at: PointInTime): Promise<unknown>;
  createInstance(plan: RestorePlan, instance: { id: string; instanceClass: string }): Promise<unknown>;
  modifyCluster(input: {
    DBClusterIdentifier: string;
    ApplyImmediately: boolean;
    MasterUserPassword?: string;
    DBClusterParameterGroupName?: string;
    BackupRetentionPeriod?: number;
  }): Promise<unknown>;
  deleteInstance(instanceId: string): Promise<unknown>;
  deleteCluster(clusterId: string): Promise<unknown>;
}

/** A fork keeps one day of backups (the minimum for a cluster), which keeps point-in-time working on it. */
export const FORK_BACKUP_RETENTION_DAYS = 1;

/** Restore parameters every cluster restore passes (DESIGN §2: never trust a restore to carry them). */
export function clusterRestoreCommon(plan: RestorePlan) {
  const scaling = plan.source.serverlessV2Scaling;
  return {
    DBClusterIdentifier: plan.targetId,
    VpcSecurityGroupIds: plan.vpcSecurityGroupIds.length ? plan.vpcSecurityGroupIds : undefined,
    DBSubnetGroupName: plan.subnetGroupName,
    Port: plan.source.port,
    DeletionProtection: false,
    Tags: plan.tags,
    ...(scaling
      ? {
          ServerlessV2ScalingConfiguration: {
            MinCapacity: scaling.minCapacity,
            MaxCapacity: scaling.maxCapacity,
            ...(scaling.secondsUntilAutoPause === undefined
              ? {}
              : { SecondsUntilAutoPause: scaling.secondsUntilAutoPause }),
          },
        }
      : {}),
  };
}

/** A Serverless v2 source's writer is `db.serverless`; the class is read from the writer when there is one. */
export const SERVERLESS_V2_CLASS = 'db.serverless';

function toSource(
  kind: SourceDatabase['kind'],
  cluster: ClusterDescription,
  tags: Record<string, string>,
  writer?: ClusterInstanceDescription,
): SourceDatabase {
  const scaling = cluster.ServerlessV2ScalingConfiguration;
  const serverless = scaling?.MinCapacity !== undefined || scaling?.MaxCapacity !== undefined;
  const instanceClass = writer?.DBInstanceClass ?? (serverless ? SERVERLESS_V2_CLASS : undefined);
  const parameterGroupName = writer?.DBParameterGroups?.[0]?.DBParameterGroupName;
  return {
    id: cluster.DBClusterIdentifier ?? '',
    arn: cluster.DBClusterArn ?? '',
    kind,
    engine: cluster.Engine ?? 'unknown',
    ...(cluster.EngineVersion ? { engineVersion: cluster.EngineVersion } : {}),
    status: cluster.Status ?? 'unknown',
    tags,
    ...(cluster.Port ? { port: cluster.Port } : {}),
    ...(cluster.MasterUsername ? { masterUsername: cluster.MasterUsername } : {}),
    ...(cluster.DatabaseName ? { dbName: cluster.DatabaseName } : {}),
    ...(instanceClass ? { instanceClass } : {}),
    ...(cluster.StorageType ? { storageType: cluster.StorageType } : {}),
    vpcSecurityGroupIds: activeSecurityGroupIds(cluster.VpcSecurityGroups),
    ...(cluster.DBSubnetGroup ? { subnetGroupName: cluster.DBSubnetGroup } : {}),
    ...(parameterGroupName ? { parameterGroupName } : {}),
    ...(cluster.DBClusterParameterGroup
      ? { clusterParameterGroupName: cluster.DBClusterParameterGroup }
      : {}),
    ...(writer?.DBInstanceIdentifier ? { writerInstanceId: writer.DBInstanceIdentifier } : {}),
    ...(serverless
      ? {
          serverlessV2Scaling: {
            ...(scaling?.MinCapacity === undefined ? {} : { minCapacity: scaling.MinCapacity }),
            ...(scaling?.MaxCapacity === undefined ? {} : { maxCapacity: scaling.MaxCapacity }),
            ...(scaling?.SecondsUntilAutoPause === undefined
              ? {}
              : { secondsUntilAutoPause: scaling.SecondsUntilAutoPause }),
          },
        }
      : {}),
    restorableWindow: {
      ...(cluster.EarliestRestorableTime ? { earliest: iso(cluster.EarliestRestorableTime) } : {}),
      ...(cluster.LatestRestorableTime ? { latest: iso(cluster.LatestRestorableTime) } : {}),
    },
  };
}

/** Returns undefined when the call fails with `notFound`. */
async function unlessNotFound<T>(notFound: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (errorName(error) === notFound) return undefined;
    throw error;
  }
}

/** Runs a delete; a resource already gone, or not deletable in its current state yet, is left to the next call. */
async function deleteIfDeletable(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    const name = errorName(error) ?? '';
    const settled = [
      'DBClusterNotFoundFault',
      'DBInstanceNotFoundFault',
      'InvalidDBClusterStateFault',
      'InvalidDBInstanceStateFault',
    ];
    if (!settled.includes(name)) throw error;
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
    return toSource(this.kind, cluster, await this.clusterTags(cluster), writer);
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
      own.map(async (cluster) => toSource(this.kind, cluster, await this.clusterTags(cluster))),
    );
  }

  /** Automated snapshots carry no tags of ours: only manual ones are asked for theirs. */
  private async backupOf(snapshot: ClusterSnapshotDescription): Promise<Backup> {
    const automated = backupType(snapshot.SnapshotType, snapshot.DBClusterSnapshotIdentifier) === 'automated';
    const tags = automated
      ? tagMap(snapshot.TagList)
      : await this.api.tagsOf(snapshot, snapshot.DBClusterSnapshotArn);
    const ref = {
      id: snapshot.DBClusterSnapshotIdentifier,
      arn: snapshot.DBClusterSnapshotArn,
      sourceId: snapshot.DBClusterIdentifier,
    };
    return toBackup(ref, snapshot, tags);
  }

  async listBackups(source: SourceDatabase): Promise<Backup[]> {
    const snapshots = await allPages(async (marker) => {
      const page = await this.api.describeSnapshots({ DBClusterIdentifier: source.id, ...markerOf(marker) });
      return { items: page.DBClusterSnapshots, marker: page.Marker };
    });
    return newestFirst(await Promise.all(snapshots.map((snapshot) => this.backupOf(snapshot))));
  }

  async describeSnapshot(snapshotId: string): Promise<Backup | undefined> {
    const snapshot = await unlessNotFound('DBClusterSnapshotNotFoundFault', async () => {
      const out = await this.api.describeSnapshots({ DBClusterSnapshotIdentifier: snapshotId });
      return out.DBClusterSnapshots?.[0];
    });
    return snapshot ? this.backupOf(snapshot) : undefined;
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

  /** Restores the fork cluster (by snapshot identifier: restores by cluster-snapshot ARN are not portable). */
  restore(plan: RestorePlan): Promise<void> {
    const { target } = plan;
    return createOnce({
      resource: `DB cluster ${plan.targetId}`,
      forkId: plan.forkId,
      existingTags: async () => {
        const existing = await this.describeCluster(plan.targetId);
        return existing && this.clusterTags(existing);
      },
      create: () => {
        if (target.type === 'snapshot') return this.api.restoreFromSnapshot(plan, target.snapshotId);
        if (target.type === 'clone') {
          // Copy-on-write shares the source's storage; it always clones "now" (no time).
          return this.api.restoreToPointInTime(plan, {
            RestoreType: 'copy-on-write',
            UseLatestRestorableTime: true,
          });
        }
        return this.api.restoreToPointInTime(
          plan,
          target.useLatestRestorableTime
            ? { RestoreType: 'full-copy', UseLatestRestorableTime: true }
            : { RestoreType: 'full-copy', RestoreToTime: new Date(target.restoreTime ?? '') },
        );
      },
      alreadyExists: 'DBClusterAlreadyExistsFault',
    });
  }

  /**
   * Settings a restore could not take (DocumentDB point-in-time restores take no parameter group and
   * no retention): set on the available cluster before its first instance, which then starts with them.
   */
  private async settle(plan: RestorePlan, cluster: ClusterDescription): Promise<boolean> {
    const group = plan.source.clusterParameterGroupName;
    const changes = {
      ...(group && cluster.DBClusterParameterGroup !== group ? { DBClusterParameterGroupName: group } : {}),
      ...((cluster.BackupRetentionPeriod ?? 0) > FORK_BACKUP_RETENTION_DAYS
        ? { BackupRetentionPeriod: FORK_BACKUP_RETENTION_DAYS }
        : {}),
    };
    if (Object.keys(changes).length === 0) return false;
    await this.api.modifyCluster({ DBClusterIdentifier: plan.targetId, ...changes, ApplyImmediately: true });
    return true;
  }

  /**
   * Adds the writer `<fork id>-1` to the restored cluster, of the requested class, else the
   * source writer's (`db.serverless` for Serverless v2), with the source writer's DB parameter
   * group. True once it exists and is available.
   */
  async createInstances(plan: RestorePlan): Promise<boolean> {
    const cluster = await this.forkCluster(plan.targetId, plan.forkId);
    const changed = await this.settle(plan, cluster);

    const id = writerInstanceId(plan.targetId);
    const { instanceClass } = plan;
    if (!instanceClass) {
      throw new SourceNotAvailableError(
        `${plan.source.id} has no writer instance to copy an instance class from; set overrides.instanceClass`,
      );
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
    return !changed && writerStatus === 'available';
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
    await this.api.modifyCluster({
      DBClusterIdentifier: targetId,
      MasterUserPassword: password,
      ApplyImmediately: true,
    });
  }

  /**
   * Tag-guarded: the cluster and every instance in it must be this fork's before anything is
   * deleted. Instances first (a cluster with instances cannot be deleted), then the cluster once it
   * has none; the caller asks again until `describeFork` finds nothing.
   */
  async deleteFork(targetId: string, forkId: string): Promise<void> {
    const cluster = await this.describeCluster(targetId);
    const state = cluster && { status: cluster.Status ?? 'unknown', tags: await this.clusterTags(cluster) };
    if (!needsDelete(state, forkId, `DB cluster ${targetId}`)) return;
    const instances = await this.instancesOf(targetId);
    for (const instance of instances) {
      const tags = await this.api.tagsOf(instance, instance.DBInstanceArn);
      assertManagedBy(tags, forkId, `DB instance ${instance.DBInstanceIdentifier}`);
    }
    for (const instance of instances) {
      if (instance.DBInstanceStatus === 'deleting') continue;
      await deleteIfDeletable(() => this.api.deleteInstance(instance.DBInstanceIdentifier ?? ''));
    }
    if (instances.length > 0) return;
    await deleteIfDeletable(() => this.api.deleteCluster(targetId));
  }
}
