import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  type RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';
import { ListSchedulesCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { allPages, markerOf, unlessGone } from './engines/guarded.js';
import { FORK_ID_PATTERN, forkIdOfScheduleName } from './ids.js';
import { TAG, tagMap } from './tags.js';

/**
 * Read-only scan for what dbfork created, found by its tags (never by its name): DB instances,
 * clusters (Aurora and DocumentDB answer through the same RDS API), DB and cluster snapshots,
 * `dbfork/*` secrets, and the schedules in dbfork's own schedule group (schedules carry no tags;
 * the group is dbfork's alone and the names are `dbfork-<fork id>`, `dbfork-warn-<fork id>` and
 * `dbfork-<fork id>-refresh`).
 */
export type ManagedResourceType =
  | 'db-instance'
  | 'db-cluster'
  | 'db-snapshot'
  | 'db-cluster-snapshot'
  | 'secret'
  | 'schedule';

export interface ManagedResource {
  type: ManagedResourceType;
  id: string;
  forkId: string;
  /** The `dbfork:expires-at` tag (schedules have none). */
  expiresAt?: string;
}

export interface ScanClients {
  rds: RDSClient;
  secrets: SecretsManagerClient;
  scheduler: SchedulerClient;
}

type Tagged = { TagList?: Tag[] };

/**
 * A described resource's tags: its TagList, or asked for by ARN when the describe gave none. One
 * deleted since it was listed has none to give (NotFound): the scan passes over it.
 */
async function tagsOf(rds: RDSClient, resource: Tagged, arn: string | undefined) {
  if (resource.TagList && resource.TagList.length > 0) return tagMap(resource.TagList);
  if (!arn) return {};
  const listed = await unlessGone(() => rds.send(new ListTagsForResourceCommand({ ResourceName: arn })));
  return tagMap(listed?.TagList);
}

/** Only resources tagged `dbfork:managed=true` with a well-formed `dbfork:fork-id`. */
function managed(
  type: ManagedResourceType,
  id: string | undefined,
  tags: Record<string, string>,
): ManagedResource | undefined {
  const forkId = tags[TAG.forkId] ?? '';
  if (!id || tags[TAG.managed] !== 'true' || !FORK_ID_PATTERN.test(forkId)) return undefined;
  const expiresAt = tags[TAG.expiresAt];
  return { type, id, forkId, ...(expiresAt ? { expiresAt } : {}) };
}

/** The databases and snapshots dbfork made: instances, clusters and their manual snapshots. */
export class ManagedDatabases {
  constructor(private readonly rds: RDSClient) {}

  async scan(): Promise<ManagedResource[]> {
    const { rds } = this;
    const out: ManagedResource[] = [];
    const keep = (resource: ManagedResource | undefined) => {
      if (resource) out.push(resource);
    };

    const instances = await allPages(async (marker) => {
      const page = await rds.send(new DescribeDBInstancesCommand({ ...markerOf(marker) }));
      return { items: page.DBInstances, marker: page.Marker };
    });
    for (const db of instances) {
      // An instance of a fork cluster is deleted with its cluster; only standalone ones count.
      if (db.DBClusterIdentifier) continue;
      keep(managed('db-instance', db.DBInstanceIdentifier, await tagsOf(rds, db, db.DBInstanceArn)));
    }

    const clusters = await allPages(async (marker) => {
      const page = await rds.send(new DescribeDBClustersCommand({ ...markerOf(marker) }));
      return { items: page.DBClusters, marker: page.Marker };
    });
    for (const cluster of clusters) {
      keep(
        managed('db-cluster', cluster.DBClusterIdentifier, await tagsOf(rds, cluster, cluster.DBClusterArn)),
      );
    }

    const snapshots = await allPages(async (marker) => {
      const page = await rds.send(
        new DescribeDBSnapshotsCommand({ SnapshotType: 'manual', ...markerOf(marker) }),
      );
      return { items: page.DBSnapshots, marker: page.Marker };
    });
    for (const s of snapshots) {
      keep(managed('db-snapshot', s.DBSnapshotIdentifier, await tagsOf(rds, s, s.DBSnapshotArn)));
    }

    const clusterSnapshots = await allPages(async (marker) => {
      const page = await rds.send(
        new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual', ...markerOf(marker) }),
      );
      return { items: page.DBClusterSnapshots, marker: page.Marker };
    });
    for (const s of clusterSnapshots) {
      keep(
        managed(
          'db-cluster-snapshot',
          s.DBClusterSnapshotIdentifier,
          await tagsOf(rds, s, s.DBClusterSnapshotArn),
        ),
      );
    }
    return out;
  }
}

/** What a fork has besides its database: its `dbfork/*` secret and its schedules. */
export class ManagedLeftovers {
  constructor(
    private readonly clients: Pick<ScanClients, 'secrets' | 'scheduler'>,
    private readonly scheduleGroup: string,
  ) {}

  async scan(): Promise<ManagedResource[]> {
    const { clients, scheduleGroup } = this;
    const out: ManagedResource[] = [];
    const keep = (resource: ManagedResource | undefined) => {
      if (resource) out.push(resource);
    };
    let secretsToken: string | undefined;
    do {
      const page = await clients.secrets.send(
        new ListSecretsCommand({
          Filters: [
            { Key: 'tag-key', Values: [TAG.managed] },
            { Key: 'name', Values: ['dbfork/'] },
          ],
          ...(secretsToken ? { NextToken: secretsToken } : {}),
        }),
      );
      for (const secret of page.SecretList ?? []) {
        if (!secret.Name?.startsWith('dbfork/')) continue;
        keep(managed('secret', secret.Name, tagMap(secret.Tags)));
      }
      secretsToken = page.NextToken;
    } while (secretsToken);

    let schedulesToken: string | undefined;
    do {
      const page = await clients.scheduler.send(
        new ListSchedulesCommand({
          GroupName: scheduleGroup,
          NamePrefix: 'dbfork-',
          ...(schedulesToken ? { NextToken: schedulesToken } : {}),
        }),
      );
      for (const schedule of page.Schedules ?? []) {
        const forkId = forkIdOfScheduleName(schedule.Name ?? '');
        if (schedule.GroupName && schedule.GroupName !== scheduleGroup) continue;
        if (schedule.Name && forkId) out.push({ type: 'schedule', id: schedule.Name, forkId });
      }
      schedulesToken = page.NextToken;
    } while (schedulesToken);

    return out;
  }
}

/** Everything dbfork made, found by its tags. */
export async function scanManagedResources(
  clients: ScanClients,
  scheduleGroup: string,
): Promise<ManagedResource[]> {
  return [
    ...(await new ManagedDatabases(clients.rds).scan()),
    ...(await new ManagedLeftovers(clients, scheduleGroup).scan()),
  ];
}
