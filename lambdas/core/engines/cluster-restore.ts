import type { ClusterDescription, PointInTime } from './cluster-api.js';
import { customGroup } from './default-groups.js';
import type { RestorePlan, RestoreTarget } from './engine.js';

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

/**
 * The point a point-in-time restore goes to. Copy-on-write shares the source's storage and always
 * clones "now" (no time). RestoreDBClusterToPointInTime takes no EngineVersion in either SDK: the
 * restored cluster runs the source's version.
 */
export function pointInTimeOf(target: Exclude<RestoreTarget, { type: 'snapshot' }>): PointInTime {
  if (target.type === 'clone') return { RestoreType: 'copy-on-write', UseLatestRestorableTime: true };
  return target.useLatestRestorableTime
    ? { RestoreType: 'full-copy', UseLatestRestorableTime: true }
    : { RestoreType: 'full-copy', RestoreToTime: new Date(target.restoreTime ?? '') };
}

/**
 * Settings a restore could not take (DocumentDB point-in-time restores take no parameter group and
 * no retention), as the ModifyDBCluster changes still needed on the restored cluster. A default
 * cluster parameter group is never named: the restored cluster already has its engine's default.
 */
export function pendingSettings(
  plan: RestorePlan,
  cluster: ClusterDescription,
): { DBClusterParameterGroupName?: string; BackupRetentionPeriod?: number } {
  const { DBClusterParameterGroupName: group } = customGroup(
    'DBClusterParameterGroupName',
    plan.source.clusterParameterGroupName,
  );
  return {
    ...(group && cluster.DBClusterParameterGroup !== group ? { DBClusterParameterGroupName: group } : {}),
    ...((cluster.BackupRetentionPeriod ?? 0) > FORK_BACKUP_RETENTION_DAYS
      ? { BackupRetentionPeriod: FORK_BACKUP_RETENTION_DAYS }
      : {}),
  };
}
