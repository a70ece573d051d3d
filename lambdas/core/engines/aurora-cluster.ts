import {
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  type RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { tagMap } from '../tags.js';
import type { ClusterApi } from './cluster-api.js';
import { ClusterEngine } from './cluster-engine.js';
import { clusterRestoreCommon, FORK_BACKUP_RETENTION_DAYS } from './cluster-restore.js';
import { customGroup } from './default-groups.js';
import type { RestorePlan } from './engine.js';
import { retagResource } from './guarded.js';

/** Aurora PostgreSQL and MySQL clusters, provisioned or Serverless v2 (`aurora` is MySQL 5.6-compatible). */
export const AURORA_ENGINES = ['aurora-postgresql', 'aurora-mysql', 'aurora'] as const;

/** Storage types of an Aurora cluster; another one (an instance default such as gp3) does not apply. */
const AURORA_STORAGE_TYPES = ['aurora', 'aurora-iopt1'];

/** Aurora restores take every setting at once, so nothing is left to set afterwards. */
function auroraRestore(plan: RestorePlan) {
  const storageType = plan.storageType;
  return {
    ...clusterRestoreCommon(plan),
    ...customGroup('DBClusterParameterGroupName', plan.source.clusterParameterGroupName),
    BackupRetentionPeriod: FORK_BACKUP_RETENTION_DAYS,
    CopyTagsToSnapshot: false,
    ...(storageType && AURORA_STORAGE_TYPES.includes(storageType) ? { StorageType: storageType } : {}),
  };
}

function auroraApi(rds: RDSClient): ClusterApi {
  return {
    describeClusters: (input) => rds.send(new DescribeDBClustersCommand(input)),
    describeInstances: (input) => rds.send(new DescribeDBInstancesCommand(input)),
    describeSnapshots: (input) => rds.send(new DescribeDBClusterSnapshotsCommand(input)),
    // RDS returns every resource's tags in its Describe* answer.
    tagsOf: async (resource) => tagMap(resource.TagList),
    createSnapshot: (input) => rds.send(new CreateDBClusterSnapshotCommand(input)),
    deleteSnapshot: (id) => rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id })),
    restoreFromSnapshot: (plan, snapshot) =>
      rds.send(
        new RestoreDBClusterFromSnapshotCommand({
          ...auroraRestore(plan),
          SnapshotIdentifier: snapshot.id,
          Engine: plan.source.engine,
          ...(snapshot.engineVersion ? { EngineVersion: snapshot.engineVersion } : {}),
        }),
      ),
    restoreToPointInTime: (plan, at) =>
      rds.send(
        new RestoreDBClusterToPointInTimeCommand({
          ...auroraRestore(plan),
          SourceDBClusterIdentifier: plan.source.id,
          ...at,
        }),
      ),
    createInstance: (plan, writer) =>
      rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: writer.id,
          DBClusterIdentifier: plan.targetId,
          Engine: plan.source.engine,
          DBInstanceClass: writer.instanceClass,
          ...customGroup('DBParameterGroupName', plan.source.parameterGroupName),
          PubliclyAccessible: false,
          AutoMinorVersionUpgrade: false,
          Tags: plan.tags,
        }),
      ),
    modifyCluster: (input) => rds.send(new ModifyDBClusterCommand(input)),
    // Final snapshots do not apply to Aurora instances; the cluster's are skipped.
    deleteInstance: (id) => rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id })),
    retag: (arn, tags, remove) => retagResource(rds, arn, tags, remove),
    deleteCluster: (id) =>
      rds.send(
        new DeleteDBClusterCommand({
          DBClusterIdentifier: id,
          SkipFinalSnapshot: true,
          DeleteAutomatedBackups: true,
        }),
      ),
  };
}

/** Aurora clusters (RestoreDBCluster*, copy-on-write clones, then a writer instance). */
export class AuroraClusterEngine extends ClusterEngine {
  constructor(rds: RDSClient) {
    super('aurora-cluster', AURORA_ENGINES, auroraApi(rds));
  }
}
