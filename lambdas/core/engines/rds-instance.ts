import {
  CreateDBSnapshotCommand,
  type DBInstance,
  type DBSnapshot,
  DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  type RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { errorName, RestoreFailedError } from '../errors.js';
import { type AwsTag, assertManagedBy, forkIdOf, tagMap } from '../tags.js';
import { customGroup } from './default-groups.js';
import type { Backup, EngineStrategy, ForkDatabase, RestorePlan, SourceDatabase } from './engine.js';
import {
  activeSecurityGroupIds,
  allPages,
  changePasswordOnce,
  createOnce,
  deleteIfDeletable,
  deleteManagedSnapshot,
  iso,
  markerOf,
  needsDelete,
  newestFirst,
  retagResource,
  snapshotTypeOf,
  toBackup,
} from './guarded.js';

/** RDS DB instances: postgres, mysql, mariadb (and oracle/sqlserver, which use the same calls). */
export const RDS_INSTANCE_ENGINES = [
  'postgres',
  'mysql',
  'mariadb',
  'oracle-ee',
  'oracle-ee-cdb',
  'oracle-se2',
  'oracle-se2-cdb',
  'sqlserver-ee',
  'sqlserver-se',
  'sqlserver-ex',
  'sqlserver-web',
] as const;

function toSource(db: DBInstance, windowEarliest?: string): SourceDatabase {
  return {
    id: db.DBInstanceIdentifier ?? '',
    arn: db.DBInstanceArn ?? '',
    kind: 'rds-instance',
    engine: db.Engine ?? 'unknown',
    ...(db.EngineVersion ? { engineVersion: db.EngineVersion } : {}),
    status: db.DBInstanceStatus ?? 'unknown',
    tags: tagMap(db.TagList),
    ...((db.Endpoint?.Port ?? db.DbInstancePort) ? { port: db.Endpoint?.Port ?? db.DbInstancePort } : {}),
    ...(db.MasterUsername ? { masterUsername: db.MasterUsername } : {}),
    ...(db.DBName ? { dbName: db.DBName } : {}),
    ...(db.DBInstanceClass ? { instanceClass: db.DBInstanceClass } : {}),
    ...(db.StorageType ? { storageType: db.StorageType } : {}),
    vpcSecurityGroupIds: activeSecurityGroupIds(db.VpcSecurityGroups),
    ...(db.DBSubnetGroup?.DBSubnetGroupName ? { subnetGroupName: db.DBSubnetGroup.DBSubnetGroupName } : {}),
    ...(db.DBParameterGroups?.[0]?.DBParameterGroupName
      ? { parameterGroupName: db.DBParameterGroups[0].DBParameterGroupName }
      : {}),
    ...(db.OptionGroupMemberships?.[0]?.OptionGroupName
      ? { optionGroupName: db.OptionGroupMemberships[0].OptionGroupName }
      : {}),
    restorableWindow:
      (db.BackupRetentionPeriod ?? 0) > 0
        ? {
            ...(windowEarliest ? { earliest: windowEarliest } : {}),
            ...(db.LatestRestorableTime ? { latest: iso(db.LatestRestorableTime) } : {}),
          }
        : {},
  };
}

function toSnapshotBackup(snapshot: DBSnapshot): Backup {
  const ref = {
    id: snapshot.DBSnapshotIdentifier,
    arn: snapshot.DBSnapshotArn,
    sourceId: snapshot.DBInstanceIdentifier,
  };
  return toBackup(ref, snapshot, tagMap(snapshot.TagList));
}

function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'DBInstanceNotFoundFault' || name === 'DBSnapshotNotFoundFault';
}

export class RdsInstanceEngine implements EngineStrategy {
  readonly kind = 'rds-instance' as const;
  readonly supportedRestores = ['latest-backup', 'snapshot', 'point-in-time', 'fresh-snapshot'] as const;

  constructor(private readonly rds: RDSClient) {}

  private async describeInstance(id: string): Promise<DBInstance | undefined> {
    try {
      const out = await this.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      return out.DBInstances?.[0];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** RDS keeps an instance's earliest restorable time on its automated backup, not the instance. */
  private async earliestRestorableTime(db: DBInstance): Promise<string | undefined> {
    try {
      const out = await this.rds.send(
        new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: db.DBInstanceIdentifier }),
      );
      const earliest = out.DBInstanceAutomatedBackups?.[0]?.RestoreWindow?.EarliestTime;
      if (earliest) return earliest.toISOString();
    } catch (error) {
      // Not every emulator implements automated-backup listing; fall back below.
      if (errorName(error) !== 'NotImplemented' && errorName(error) !== 'InvalidAction') throw error;
    }
    return iso(db.InstanceCreateTime);
  }

  async describeSource(id: string): Promise<SourceDatabase | undefined> {
    const db = await this.describeInstance(id);
    // A member of an Aurora or DocumentDB cluster is forked through its cluster.
    if (!db || db.DBClusterIdentifier) return undefined;
    return toSource(
      db,
      (db.BackupRetentionPeriod ?? 0) > 0 ? await this.earliestRestorableTime(db) : undefined,
    );
  }

  async listSources(): Promise<SourceDatabase[]> {
    const instances = await allPages(async (marker) => {
      const page = await this.rds.send(new DescribeDBInstancesCommand(markerOf(marker)));
      return { items: page.DBInstances, marker: page.Marker };
    });
    // Aurora/DocumentDB members are listed by their cluster engines.
    return instances.filter((db) => !db.DBClusterIdentifier).map((db) => toSource(db, undefined));
  }

  async listBackups(source: SourceDatabase): Promise<Backup[]> {
    const snapshots = await allPages(async (marker) => {
      const page = await this.rds.send(
        new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: source.id, ...markerOf(marker) }),
      );
      return { items: page.DBSnapshots, marker: page.Marker };
    });
    return newestFirst(snapshots.map(toSnapshotBackup));
  }

  async describeSnapshot(snapshotId: string): Promise<Backup | undefined> {
    try {
      const out = await this.rds.send(
        new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId, ...snapshotTypeOf(snapshotId) }),
      );
      const snapshot = out.DBSnapshots?.[0];
      return snapshot ? toSnapshotBackup(snapshot) : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async createSnapshot(source: SourceDatabase, snapshotId: string, tags: RestorePlan['tags']): Promise<void> {
    // A retried step: continue only if the snapshot is the one we took.
    await createOnce({
      resource: `snapshot ${snapshotId}`,
      forkId: forkIdOf(tags),
      existingTags: async () => (await this.describeSnapshot(snapshotId))?.tags,
      create: () =>
        this.rds.send(
          new CreateDBSnapshotCommand({
            DBInstanceIdentifier: source.id,
            DBSnapshotIdentifier: snapshotId,
            Tags: tags,
          }),
        ),
      alreadyExists: 'DBSnapshotAlreadyExistsFault',
    });
  }

  deleteSnapshot(snapshotId: string, forkId: string): Promise<boolean> {
    return deleteManagedSnapshot({
      snapshotId,
      forkId,
      describe: () => this.describeSnapshot(snapshotId),
      remove: () => this.rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshotId })),
      notFound: 'DBSnapshotNotFoundFault',
      busy: 'InvalidDBSnapshotStateFault',
    });
  }

  /**
   * RDS instance restores take no EngineVersion: "Default: The same as source" (`Engine` of
   * RestoreDBInstanceFromDBSnapshot / RestoreDBInstanceToPointInTime, @aws-sdk/client-rds), so a
   * fork runs the snapshot's (or source's) version. Only custom parameter/option groups are named.
   */
  async restore(plan: RestorePlan): Promise<void> {
    const common = {
      DBInstanceClass: plan.instanceClass,
      MultiAZ: plan.multiAz,
      PubliclyAccessible: false,
      DeletionProtection: false,
      AutoMinorVersionUpgrade: false,
      CopyTagsToSnapshot: false,
      // A fork needs no long backup history; 1 day (not 0) keeps point-in-time working on the fork.
      BackupRetentionPeriod: 1,
      VpcSecurityGroupIds: plan.vpcSecurityGroupIds.length ? plan.vpcSecurityGroupIds : undefined,
      DBSubnetGroupName: plan.subnetGroupName,
      ...customGroup('DBParameterGroupName', plan.source.parameterGroupName),
      ...customGroup('OptionGroupName', plan.source.optionGroupName),
      StorageType: plan.storageType,
      Iops: plan.iops,
      Port: plan.source.port,
      Tags: plan.tags,
    };
    const { target } = plan;
    await createOnce({
      resource: `DB instance ${plan.targetId}`,
      forkId: plan.forkId,
      existingTags: async () => (await this.describeFork(plan.targetId))?.tags,
      create: async () => {
        if (target.type === 'snapshot') {
          return this.rds.send(
            new RestoreDBInstanceFromDBSnapshotCommand({
              DBInstanceIdentifier: plan.targetId,
              DBSnapshotIdentifier: target.snapshotId,
              ...common,
            }),
          );
        }
        if (target.type === 'point-in-time') {
          return this.rds.send(
            new RestoreDBInstanceToPointInTimeCommand({
              SourceDBInstanceIdentifier: plan.source.id,
              TargetDBInstanceIdentifier: plan.targetId,
              ...(target.useLatestRestorableTime
                ? { UseLatestRestorableTime: true }
                : { RestoreTime: new Date(target.restoreTime ?? '') }),
              ...common,
            }),
          );
        }
        throw new Error(`rds-instance cannot restore by ${target.type}`);
      },
      // Lost a race with our own earlier attempt: fine if it is ours.
      alreadyExists: 'DBInstanceAlreadyExistsFault',
    });
  }

  async createInstances(): Promise<boolean> {
    return true; // an RDS instance restore is the instance
  }

  isAvailable(fork: ForkDatabase): boolean {
    return fork.status === 'available';
  }

  async describeFork(targetId: string): Promise<ForkDatabase | undefined> {
    const db = await this.describeInstance(targetId);
    if (!db) return undefined;
    return {
      id: targetId,
      ...(db.DBInstanceArn ? { arn: db.DBInstanceArn } : {}),
      status: db.DBInstanceStatus ?? 'unknown',
      tags: tagMap(db.TagList),
      ...(db.Endpoint?.Address
        ? { endpoint: { host: db.Endpoint.Address, port: db.Endpoint.Port ?? 0 } }
        : {}),
      passwordPending: Boolean(db.PendingModifiedValues?.MasterUserPassword),
    };
  }

  async setMasterPassword(targetId: string, forkId: string, password: string): Promise<void> {
    const fork = await this.describeFork(targetId);
    assertManagedBy(fork?.tags ?? {}, forkId, `DB instance ${targetId}`);
    await changePasswordOnce(
      () =>
        this.rds.send(
          new ModifyDBInstanceCommand({
            DBInstanceIdentifier: targetId,
            MasterUserPassword: password,
            ApplyImmediately: true,
          }),
        ),
      async () => (await this.describeFork(targetId))?.status,
    );
  }

  async retag(targetId: string, forkId: string, tags: AwsTag[], remove: readonly string[]): Promise<void> {
    const fork = await this.describeFork(targetId);
    assertManagedBy(fork?.tags ?? {}, forkId, `DB instance ${targetId}`);
    if (!fork?.arn) throw new RestoreFailedError(`the fork database ${targetId} has no ARN`);
    await retagResource(this.rds, fork.arn, tags, remove);
  }

  /**
   * A delete that meets an instance not deletable yet (InvalidDBInstanceState: still `creating`,
   * `modifying`, `resetting-master-credentials`…) is left to the gone loop, which asks again.
   */
  async deleteFork(targetId: string, forkId: string): Promise<void> {
    if (!needsDelete(await this.describeFork(targetId), forkId, `DB instance ${targetId}`)) return;
    await deleteIfDeletable(
      () =>
        this.rds.send(
          new DeleteDBInstanceCommand({
            DBInstanceIdentifier: targetId,
            SkipFinalSnapshot: true,
            DeleteAutomatedBackups: true,
          }),
        ),
      async () => (await this.describeFork(targetId)) !== undefined,
    );
  }
}
