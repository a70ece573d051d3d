import type { ForkPolicy } from './config.js';
import type { RestorePlan, RestoreTarget, SourceDatabase } from './engines/engine.js';
import { BackupNotFoundError } from './errors.js';
import type { ForkRecord } from './fork.js';
import { STORAGE_TYPES } from './override-rules.js';
import { forkTags } from './tags.js';

/** Which database of the fork a plan is for: its own (the create), or a refresh's new one. */
export interface PlannedDatabase {
  databaseId: string;
  restore: ForkRecord['restore'];
}

/**
 * What to restore, and with what. Restores do not reliably carry the source's security groups,
 * subnet group or parameter/option groups, so they are read from the source and passed explicitly;
 * the config's fork network wins over the source's. A refresh's database gets the same overrides
 * and network as the fork's first one, restored from the refresh's own backup.
 */
export function buildRestorePlan(
  fork: ForkRecord,
  source: SourceDatabase,
  policy: ForkPolicy,
  database: PlannedDatabase = { databaseId: fork.id, restore: fork.restore },
): RestorePlan {
  const resolved = database.restore.resolved ?? {};
  let target: RestoreTarget;
  if (database.restore.requested.type === 'clone') target = { type: 'clone' };
  else if (resolved.snapshotId) target = { type: 'snapshot', snapshotId: resolved.snapshotId };
  else if (resolved.useLatestRestorableTime)
    target = { type: 'point-in-time', useLatestRestorableTime: true };
  else if (resolved.restoreTime) target = { type: 'point-in-time', restoreTime: resolved.restoreTime };
  // Never guess: a plan without a chosen backup would restore to an invalid time.
  else throw new BackupNotFoundError(`${database.databaseId} has no selected backup or restore time yet`);

  const instanceClass =
    fork.overrides.instanceClass ?? policy.defaultOverrides.instanceClass ?? source.instanceClass;
  // A stack-wide default storage type (say gp3) does not apply to a cluster source: keep the kind's own.
  const requestedStorage = fork.overrides.storageType ?? policy.defaultOverrides.storageType;
  const storageType = STORAGE_TYPES[source.kind].includes(requestedStorage ?? '')
    ? requestedStorage
    : undefined;
  const iops = storageType ? (fork.overrides.iops ?? policy.defaultOverrides.iops) : undefined;
  const subnetGroupName = policy.forkNetwork.subnetGroupName ?? source.subnetGroupName;
  return {
    forkId: fork.id,
    targetId: database.databaseId,
    source,
    target,
    ...(instanceClass ? { instanceClass } : {}),
    multiAz: fork.overrides.multiAz ?? policy.defaultOverrides.multiAz ?? false,
    ...(storageType ? { storageType } : {}),
    ...(iops ? { iops } : {}),
    vpcSecurityGroupIds: policy.forkNetwork.securityGroupIds ?? source.vpcSecurityGroupIds,
    ...(subnetGroupName ? { subnetGroupName } : {}),
    tags: forkTags(fork),
  };
}
