import { tagMap } from '../tags.js';
import type {
  ClusterApi,
  ClusterDescription,
  ClusterInstanceDescription,
  ClusterSnapshotDescription,
} from './cluster-api.js';
import type { Backup, SourceDatabase } from './engine.js';
import { activeSecurityGroupIds, backupType, iso, toBackup } from './guarded.js';

/** A Serverless v2 source's writer is `db.serverless`; the class is read from the writer when there is one. */
export const SERVERLESS_V2_CLASS = 'db.serverless';

/** A source cluster (with its writer, whose class and DB parameter group a fork's writer takes). */
export function toClusterSource(
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

/** A cluster snapshot as a backup. Automated snapshots carry no tags of ours: only manual ones are asked for theirs. */
export async function toClusterBackup(
  api: ClusterApi,
  snapshot: ClusterSnapshotDescription,
): Promise<Backup> {
  const automated = backupType(snapshot.SnapshotType, snapshot.DBClusterSnapshotIdentifier) === 'automated';
  const tags = automated
    ? tagMap(snapshot.TagList)
    : await api.tagsOf(snapshot, snapshot.DBClusterSnapshotArn);
  const ref = {
    id: snapshot.DBClusterSnapshotIdentifier,
    arn: snapshot.DBClusterSnapshotArn,
    sourceId: snapshot.DBClusterIdentifier,
  };
  return toBackup(ref, snapshot, tags);
}
