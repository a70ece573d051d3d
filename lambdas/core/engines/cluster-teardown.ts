import { assertManagedBy } from '../tags.js';
import type { ClusterApi, ClusterDescription, ClusterInstanceDescription } from './cluster-api.js';
import { deleteIfDeletable, needsDelete } from './guarded.js';

/** What deleting a fork cluster reads, bound to the engine that owns it. */
export interface ClusterTeardown {
  api: ClusterApi;
  describeCluster(id: string): Promise<ClusterDescription | undefined>;
  clusterTags(cluster: ClusterDescription): Promise<Record<string, string>>;
  instancesOf(clusterId: string): Promise<ClusterInstanceDescription[]>;
}

/**
 * Tag-guarded: the cluster and every instance in it must be this fork's before anything is
 * deleted. Instances first (a cluster with instances cannot be deleted), then the cluster once it
 * has none; the caller asks again until the cluster is gone.
 */
export async function deleteForkCluster(t: ClusterTeardown, targetId: string, forkId: string): Promise<void> {
  const cluster = await t.describeCluster(targetId);
  const state = cluster && { status: cluster.Status ?? 'unknown', tags: await t.clusterTags(cluster) };
  if (!needsDelete(state, forkId, `DB cluster ${targetId}`)) return;
  const instances = await t.instancesOf(targetId);
  for (const instance of instances) {
    const tags = await t.api.tagsOf(instance, instance.DBInstanceArn);
    assertManagedBy(tags, forkId, `DB instance ${instance.DBInstanceIdentifier}`);
  }
  for (const instance of instances) {
    if (instance.DBInstanceStatus === 'deleting') continue;
    const id = instance.DBInstanceIdentifier ?? '';
    await deleteIfDeletable(
      () => t.api.deleteInstance(id),
      async () => (await t.instancesOf(targetId)).some((i) => i.DBInstanceIdentifier === id),
    );
  }
  if (instances.length > 0) return;
  await deleteIfDeletable(
    () => t.api.deleteCluster(targetId),
    async () => (await t.describeCluster(targetId)) !== undefined,
  );
}
