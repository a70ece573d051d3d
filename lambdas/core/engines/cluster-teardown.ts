import { assertManagedBy } from '../tags.js';
import type { ClusterApi, ClusterDescription, ClusterInstanceDescription } from './cluster-api.js';
import { deleteIfDeletable, needsDelete, unlessGone } from './guarded.js';

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
  const tags = cluster && (await unlessGone(() => t.clusterTags(cluster)));
  const state = cluster && tags && { status: cluster.Status ?? 'unknown', tags };
  if (!needsDelete(state, forkId, `DB cluster ${targetId}`)) return;
  const instances = await t.instancesOf(targetId);
  const present: ClusterInstanceDescription[] = [];
  for (const instance of instances) {
    const instanceTags = await unlessGone(() => t.api.tagsOf(instance, instance.DBInstanceArn));
    if (!instanceTags) continue; // deleted since it was listed
    assertManagedBy(instanceTags, forkId, `DB instance ${instance.DBInstanceIdentifier}`);
    present.push(instance);
  }
  for (const instance of present) {
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
