import {
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ListTagsForResourceCommand,
  ModifyDBClusterCommand,
  type RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { tagMap } from '../tags.js';
import type { ClusterApi } from './cluster-api.js';
import { ClusterEngine } from './cluster-engine.js';
import { clusterRestoreCommon } from './cluster-restore.js';
import { customGroup } from './default-groups.js';
import type { RestorePlan } from './engine.js';
import { retagResource } from './guarded.js';

export const DOCDB_ENGINES = ['docdb'] as const;

/** "Valid values for storage type - standard | iopt1" (@aws-sdk/client-docdb restore inputs). */
const storageOf = (plan: RestorePlan) =>
  plan.storageType === 'standard' || plan.storageType === 'iopt1' ? { StorageType: plan.storageType } : {};

function docdbApi(docdb: RDSClient): ClusterApi {
  return {
    describeClusters: (input) => docdb.send(new DescribeDBClustersCommand(input)),
    describeInstances: (input) => docdb.send(new DescribeDBInstancesCommand(input)),
    describeSnapshots: (input) => docdb.send(new DescribeDBClusterSnapshotsCommand(input)),
    // DocumentDB's Describe* answers carry no tags.
    tagsOf: async (_resource, arn) =>
      arn ? tagMap((await docdb.send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList) : {},
    createSnapshot: (input) => docdb.send(new CreateDBClusterSnapshotCommand(input)),
    deleteSnapshot: (id) =>
      docdb.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id })),
    // EngineVersion: "The version of the database engine to use for the new cluster" (@aws-sdk/client-docdb).
    restoreFromSnapshot: (plan, snapshot) =>
      docdb.send(
        new RestoreDBClusterFromSnapshotCommand({
          ...clusterRestoreCommon(plan),
          SnapshotIdentifier: snapshot.id,
          Engine: plan.source.engine,
          ...(snapshot.engineVersion ? { EngineVersion: snapshot.engineVersion } : {}),
          ...customGroup('DBClusterParameterGroupName', plan.source.clusterParameterGroupName),
          ...storageOf(plan),
        }),
      ),
    // Takes no parameter group, retention nor engine version (the source's): createInstances sets
    // the first two on the available cluster.
    restoreToPointInTime: (plan, at) =>
      docdb.send(
        new RestoreDBClusterToPointInTimeCommand({
          ...clusterRestoreCommon(plan),
          SourceDBClusterIdentifier: plan.source.id,
          ...at,
          ...storageOf(plan),
        }),
      ),
    createInstance: (plan, writer) =>
      docdb.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: writer.id,
          DBClusterIdentifier: plan.targetId,
          Engine: plan.source.engine,
          DBInstanceClass: writer.instanceClass,
          Tags: plan.tags,
        }),
      ),
    modifyCluster: (input) => docdb.send(new ModifyDBClusterCommand(input)),
    deleteInstance: (id) => docdb.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id })),
    retag: (arn, tags, remove) => retagResource(docdb, arn, tags, remove),
    deleteCluster: (id) =>
      docdb.send(new DeleteDBClusterCommand({ DBClusterIdentifier: id, SkipFinalSnapshot: true })),
  };
}

/**
 * Amazon DocumentDB clusters: snapshot, point-in-time and copy-on-write restores, then a writer
 * instance. Password changes apply immediately.
 *
 * Called through the RDS client. DocumentDB's management API *is* the RDS Query API: its service
 * endpoints are `rds.<region>.amazonaws.com` ("Amazon DocumentDB endpoints and quotas", AWS General
 * Reference), and `@aws-sdk/client-docdb` signs for `rds` and sends the same actions with the same
 * parameters to that endpoint under the RDS namespace (`rds.amazonaws.com/doc/2014-10-31/`), so
 * every request below is byte-for-byte what the DocumentDB SDK would send; the IAM actions are
 * `rds:*` either way. One client instead of two keeps ~40 KB out of every Lambda that reaches the
 * engines (`npm run bench`, `bundles`). The inputs used here are the DocumentDB API's (its model's
 * documentation is cited where a value is constrained), and the engine filter keeps Aurora and
 * Neptune clusters out, as it must with either SDK.
 */
export class DocDbClusterEngine extends ClusterEngine {
  constructor(docdb: RDSClient) {
    super('docdb-cluster', DOCDB_ENGINES, docdbApi(docdb));
  }
}
