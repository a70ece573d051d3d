import { RestoreFailedError } from '../errors.js';
import { type AwsTag, assertManagedBy } from '../tags.js';
import type { ClusterTeardown } from './cluster-teardown.js';

/**
 * Tag-guarded retagging of a fork cluster (`EngineStrategy.retag`): the cluster and every instance
 * in it must be this fork's before any tag changes, then each gets `tags` and loses `remove`.
 */
export async function retagForkCluster(
  t: ClusterTeardown,
  targetId: string,
  forkId: string,
  tags: AwsTag[],
  remove: readonly string[],
): Promise<void> {
  const cluster = await t.describeCluster(targetId);
  if (!cluster?.DBClusterArn) throw new RestoreFailedError(`the fork database ${targetId} no longer exists`);
  assertManagedBy(await t.clusterTags(cluster), forkId, `DB cluster ${targetId}`);
  const instances = await t.instancesOf(targetId);
  for (const instance of instances) {
    assertManagedBy(
      await t.api.tagsOf(instance, instance.DBInstanceArn),
      forkId,
      `DB instance ${instance.DBInstanceIdentifier}`,
    );
  }
  const arns = [
    cluster.DBClusterArn,
    ...instances.flatMap((i) => (i.DBInstanceArn ? [i.DBInstanceArn] : [])),
  ];
  for (const arn of arns) await t.api.retag(arn, tags, remove);
}
