/**
 * What every cluster engine (Aurora, DocumentDB) must do the same way, run by each engine's test
 * file against its own SDK client: describing sources, backups, the tag guard on every write, the
 * writer instance, availability, and deleting instances before the cluster.
 */
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ClusterEngine } from '../../../lambdas/core/engines/cluster-engine.js';
import type { SourceDatabase } from '../../../lambdas/core/engines/engine.js';
import {
  BackupNotFoundError,
  NotManagedResourceError,
  SourceNotAvailableError,
} from '../../../lambdas/core/errors.js';
import { TAG } from '../../../lambdas/core/tags.js';
import {
  clusterAlreadyExists,
  clusterHasInstances,
  clusterPlan,
  clusterSnapshot,
  clusterSnapshotArn,
  FORK_WRITER_ID,
  planSnapshot,
} from './cluster-fixtures.js';
import type { FakeControlPlane } from './fake-control-plane.js';
import { FORK_ID, FORK_TAGS } from './fixtures.js';

export interface ClusterEngineSpec {
  create(): { engine: ClusterEngine; plane: FakeControlPlane };
  /** The source cluster, its writer, and how the engine must describe them. */
  source: DBCluster;
  writer: DBInstance;
  expected: SourceDatabase;
  /** A cluster of the other engine family, which this engine must not claim. */
  otherFamily: DBCluster;
  fork(overrides?: Partial<DBCluster>): DBCluster;
  forkWriter(overrides?: Partial<DBInstance>): DBInstance;
  /** What every restore of `clusterPlan(expected)` sends besides the source and the point in time. */
  restoreCommon: Record<string, unknown>;
  /**
   * What a snapshot restore sends on top: the snapshot's engine version (DocumentDB also its
   * parameter group, which its PITR cannot take).
   */
  snapshotRestore: Record<string, unknown>;
  /** The engine version of the snapshot `clusterPlan` restores (not the source's: it may differ). */
  snapshotEngineVersion: string;
  /** The exact CreateDBInstance input for `clusterPlan(expected)`. */
  writerInput: Record<string, unknown>;
  deleteInstanceInput: Record<string, unknown>;
  deleteClusterInput: Record<string, unknown>;
}

const UNTAGGED = { TagList: [] };

export function clusterEngineContract(spec: ClusterEngineSpec): void {
  let engine: ClusterEngine;
  let plane: FakeControlPlane;

  beforeEach(() => {
    ({ engine, plane } = spec.create());
    plane.clusters = [spec.source, spec.otherFamily];
    plane.instances = [spec.writer];
    plane.snapshots = [planSnapshot(spec.expected, spec.snapshotEngineVersion)];
  });

  const plan = (overrides: Parameters<typeof clusterPlan>[1] = {}) => clusterPlan(spec.expected, overrides);

  describe('describeSource', () => {
    it('maps the cluster, its network and groups, its window and its writer (class, DB parameter group)', async () => {
      await expect(engine.describeSource(spec.expected.id)).resolves.toEqual(spec.expected);
      expect(plane.inputsOf('DescribeDBInstances')).toEqual([
        { DBInstanceIdentifier: spec.writer.DBInstanceIdentifier },
      ]);
    });

    it('does not claim a cluster of another engine, nor a missing one', async () => {
      await expect(
        engine.describeSource(spec.otherFamily.DBClusterIdentifier ?? ''),
      ).resolves.toBeUndefined();
      await expect(engine.describeSource('nope')).resolves.toBeUndefined();
    });

    it('lists only its own engine family, asking by engine filter', async () => {
      const sources = await engine.listSources();

      expect(sources.map((s) => [s.id, s.kind, s.tags])).toEqual([
        [spec.expected.id, spec.expected.kind, spec.expected.tags],
      ]);
      expect(plane.inputsOf('DescribeDBClusters')[0]).toEqual({
        Filters: [{ Name: 'engine', Values: expect.arrayContaining([spec.expected.engine]) }],
      });
    });
  });

  describe('backups', () => {
    it('lists automated and manual cluster snapshots newest first, with their tags', async () => {
      const sourceId = spec.expected.id;
      plane.snapshots = [
        clusterSnapshot({
          DBClusterSnapshotIdentifier: `rds:${sourceId}-2026-11-19-03-00`,
          DBClusterIdentifier: sourceId,
          SnapshotCreateTime: new Date('2026-11-19T03:00:00Z'),
        }),
        clusterSnapshot({
          DBClusterSnapshotIdentifier: 'before-migration',
          DBClusterIdentifier: sourceId,
          SnapshotCreateTime: new Date('2026-11-20T09:00:00Z'),
          TagList: [{ Key: 'why', Value: 'migration' }],
        }),
        clusterSnapshot({ DBClusterSnapshotIdentifier: 'other', DBClusterIdentifier: 'other-cluster' }),
      ];

      const backups = await engine.listBackups(spec.expected);

      expect(backups.map((b) => [b.id, b.type, b.sourceId, b.createdAt, b.tags])).toEqual([
        ['before-migration', 'manual', sourceId, '2026-11-20T09:00:00.000Z', { why: 'migration' }],
        [`rds:${sourceId}-2026-11-19-03-00`, 'automated', sourceId, '2026-11-19T03:00:00.000Z', {}],
      ]);
    });

    it('describes a missing snapshot as undefined', async () => {
      await expect(engine.describeSnapshot('gone')).resolves.toBeUndefined();
    });

    it('snapshots the source for fresh-snapshot, tagged as the fork’s, once', async () => {
      await engine.createSnapshot(spec.expected, `${FORK_ID}-source`, FORK_TAGS);

      expect(plane.inputsOf('CreateDBClusterSnapshot')).toEqual([
        {
          DBClusterIdentifier: spec.expected.id,
          DBClusterSnapshotIdentifier: `${FORK_ID}-source`,
          Tags: FORK_TAGS,
        },
      ]);
    });

    it('refuses to adopt an existing snapshot of that name that is not the fork’s', async () => {
      plane.snapshots = [clusterSnapshot({ DBClusterSnapshotIdentifier: `${FORK_ID}-source`, TagList: [] })];

      await expect(
        engine.createSnapshot(spec.expected, `${FORK_ID}-source`, FORK_TAGS),
      ).rejects.toBeInstanceOf(NotManagedResourceError);
      expect(plane.writes()).toEqual([]);
    });

    it('deletes the fork’s snapshot, true once gone; false while it is still being taken', async () => {
      const id = `${FORK_ID}-source`;
      const ours = clusterSnapshot({
        DBClusterSnapshotIdentifier: id,
        SnapshotType: 'manual',
        TagList: FORK_TAGS,
      });
      plane.snapshots = [{ ...ours, Status: 'creating' }];
      await expect(engine.deleteSnapshot(id, FORK_ID)).resolves.toBe(false);
      expect(plane.writes()).toEqual([]);

      plane.snapshots = [ours];
      plane.on('DeleteDBClusterSnapshot', () => {
        plane.snapshots = [];
        return {};
      });
      await expect(engine.deleteSnapshot(id, FORK_ID)).resolves.toBe(true);
      expect(plane.inputsOf('DeleteDBClusterSnapshot')).toEqual([{ DBClusterSnapshotIdentifier: id }]);
      await expect(engine.deleteSnapshot(id, FORK_ID)).resolves.toBe(true);
    });

    it('never deletes a snapshot that is not the fork’s', async () => {
      plane.snapshots = [
        clusterSnapshot({
          DBClusterSnapshotIdentifier: 'before-migration',
          DBClusterSnapshotArn: clusterSnapshotArn('before-migration'),
          TagList: [{ Key: 'team', Value: 'analytics' }],
        }),
      ];

      await expect(engine.deleteSnapshot('before-migration', FORK_ID)).rejects.toBeInstanceOf(
        NotManagedResourceError,
      );
      expect(plane.writes()).toEqual([]);
    });
  });

  describe('restore', () => {
    const pitr = (at: Record<string, unknown>) => [
      { ...spec.restoreCommon, SourceDBClusterIdentifier: spec.expected.id, ...at },
    ];

    it('restores a snapshot by its identifier with the source network, groups, fork defaults and tags', async () => {
      await engine.restore(plan());

      expect(plane.writes()).toEqual(['RestoreDBClusterFromSnapshot']);
      expect(plane.inputsOf('RestoreDBClusterFromSnapshot')).toEqual([
        {
          ...spec.restoreCommon,
          SnapshotIdentifier: `rds:${spec.expected.id}-2026-11-20-03-00`,
          ...spec.snapshotRestore,
        },
      ]);
    });

    it('restores the snapshot’s engine version, describing the automated snapshot with SnapshotType', async () => {
      const snapshotId = `rds:${spec.expected.id}-2026-11-20-03-00`;

      await engine.restore(plan());

      expect(plane.inputsOf('DescribeDBClusterSnapshots')).toEqual([
        { DBClusterSnapshotIdentifier: snapshotId, SnapshotType: 'automated' },
      ]);
      expect(plane.inputsOf('RestoreDBClusterFromSnapshot')[0]).toMatchObject({
        EngineVersion: spec.snapshotEngineVersion,
      });
    });

    it('refuses to restore a snapshot that failed or is gone', async () => {
      plane.snapshots = [{ ...planSnapshot(spec.expected, spec.snapshotEngineVersion), Status: 'failed' }];
      await expect(engine.restore(plan())).rejects.toThrow(/ended failed/);

      plane.snapshots = [];
      await expect(engine.restore(plan())).rejects.toBeInstanceOf(BackupNotFoundError);
      expect(plane.writes()).toEqual([]);
    });

    it('names no default cluster parameter group (AWS applies the engine’s default)', async () => {
      const onDefault = { ...spec.expected, clusterParameterGroupName: `default.${spec.expected.engine}` };

      await engine.restore(clusterPlan(onDefault));
      await engine.restore(clusterPlan(onDefault, { target: { type: 'clone' } }));

      for (const input of [
        ...plane.inputsOf('RestoreDBClusterFromSnapshot'),
        ...plane.inputsOf('RestoreDBClusterToPointInTime'),
      ]) {
        expect(input).not.toHaveProperty('DBClusterParameterGroupName');
      }
    });

    it('restores to a point in time (a full copy)', async () => {
      const target = { type: 'point-in-time' as const, restoreTime: '2026-11-19T10:00:00.000Z' };

      await engine.restore(plan({ target }));

      expect(plane.inputsOf('RestoreDBClusterToPointInTime')).toEqual(
        pitr({ RestoreType: 'full-copy', RestoreToTime: new Date('2026-11-19T10:00:00.000Z') }),
      );
    });

    it('restores to the latest restorable time', async () => {
      await engine.restore(plan({ target: { type: 'point-in-time', useLatestRestorableTime: true } }));

      expect(plane.inputsOf('RestoreDBClusterToPointInTime')).toEqual(
        pitr({ RestoreType: 'full-copy', UseLatestRestorableTime: true }),
      );
    });

    it('clones copy-on-write at the latest restorable time, never at a given time', async () => {
      await engine.restore(plan({ target: { type: 'clone' } }));

      expect(plane.inputsOf('RestoreDBClusterToPointInTime')).toEqual(
        pitr({ RestoreType: 'copy-on-write', UseLatestRestorableTime: true }),
      );
    });

    it('does nothing when the fork cluster already exists with the fork’s tags (a retried step)', async () => {
      plane.clusters.push(spec.fork());

      await engine.restore(plan());

      expect(plane.writes()).toEqual([]);
    });

    it('refuses when a cluster of that name exists that is not the fork’s', async () => {
      plane.clusters.push(spec.fork(UNTAGGED));

      await expect(engine.restore(plan())).rejects.toBeInstanceOf(NotManagedResourceError);
      expect(plane.writes()).toEqual([]);
    });

    it('accepts losing a race to its own earlier attempt', async () => {
      plane.on('RestoreDBClusterFromSnapshot', () => {
        plane.clusters.push(spec.fork());
        throw clusterAlreadyExists();
      });

      await expect(engine.restore(plan())).resolves.toBeUndefined();
    });
  });

  describe('createInstances', () => {
    it('adds the writer with the source writer’s class and the fork’s tags, and waits for it', async () => {
      plane.clusters.push(spec.fork());

      await expect(engine.createInstances(plan())).resolves.toBe(false);

      expect(plane.writes()).toEqual(['CreateDBInstance']);
      expect(plane.inputsOf('CreateDBInstance')).toEqual([spec.writerInput]);
    });

    it('adds nothing while the restored cluster is not available (AWS rejects CreateDBInstance then)', async () => {
      plane.clusters.push(spec.fork({ Status: 'modifying' }));

      await expect(engine.createInstances(plan())).resolves.toBe(false);
      expect(plane.writes()).toEqual([]);

      plane.clusters = plane.clusters.map((c) =>
        c.DBClusterIdentifier === FORK_ID ? { ...c, Status: 'available' } : c,
      );
      await expect(engine.createInstances(plan())).resolves.toBe(false);
      expect(plane.writes()).toEqual(['CreateDBInstance']);
    });

    it('takes the requested instance class over the source’s', async () => {
      plane.clusters.push(spec.fork());

      await engine.createInstances(plan({ instanceClass: 'db.t4g.medium' }));

      expect(plane.inputsOf('CreateDBInstance')[0]).toMatchObject({ DBInstanceClass: 'db.t4g.medium' });
    });

    it('is done once its writer exists and is available, creating nothing more', async () => {
      plane.clusters.push(spec.fork());
      plane.instances.push(spec.forkWriter());

      await expect(engine.createInstances(plan())).resolves.toBe(true);
      expect(plane.writes()).toEqual([]);
    });

    it('refuses to add instances to a cluster that is not the fork’s', async () => {
      plane.clusters.push(spec.fork(UNTAGGED));

      await expect(engine.createInstances(plan())).rejects.toBeInstanceOf(NotManagedResourceError);
      expect(plane.writes()).toEqual([]);
    });

    it('refuses to adopt a writer of that name that is not the fork’s', async () => {
      plane.clusters.push(spec.fork());
      plane.instances.push(spec.forkWriter(UNTAGGED));

      await expect(engine.createInstances(plan())).rejects.toBeInstanceOf(NotManagedResourceError);
      expect(plane.writes()).toEqual([]);
    });

    it('asks for an instance class when neither the request nor the source has one', async () => {
      plane.clusters.push(spec.fork());
      const { instanceClass: _none, ...classless } = spec.expected;

      await expect(engine.createInstances(clusterPlan(classless))).rejects.toBeInstanceOf(
        SourceNotAvailableError,
      );
    });
  });

  describe('describeFork and isAvailable', () => {
    it('gives the cluster (writer) endpoint and the instances, available once cluster and writer are', async () => {
      const fork = spec.fork({
        DBClusterMembers: [{ DBInstanceIdentifier: FORK_WRITER_ID, IsClusterWriter: true }],
      });
      plane.clusters.push(fork);
      plane.instances.push(spec.forkWriter());

      const described = await engine.describeFork(FORK_ID);

      expect(described).toMatchObject({
        id: FORK_ID,
        status: 'available',
        endpoint: { host: fork.Endpoint, port: fork.Port },
        tags: { [TAG.managed]: 'true', [TAG.forkId]: FORK_ID },
        passwordPending: false,
        instances: [{ id: FORK_WRITER_ID, status: 'available', writer: true }],
      });
      expect(described && engine.isAvailable(described)).toBe(true);
    });

    it('is not available without a writer, or while the writer is being created', async () => {
      const base = { id: FORK_ID, status: 'available', tags: {}, passwordPending: false };
      expect(engine.isAvailable({ ...base, instances: [] })).toBe(false);
      expect(
        engine.isAvailable({
          ...base,
          instances: [{ id: FORK_WRITER_ID, status: 'creating', writer: true }],
        }),
      ).toBe(false);
      expect(
        engine.isAvailable({
          ...base,
          status: 'modifying',
          instances: [{ id: FORK_WRITER_ID, status: 'available', writer: true }],
        }),
      ).toBe(false);
    });

    it('describes a missing cluster as undefined', async () => {
      await expect(engine.describeFork(FORK_ID)).resolves.toBeUndefined();
    });
  });

  describe('setMasterPassword', () => {
    it('changes the cluster’s master password immediately', async () => {
      plane.clusters.push(spec.fork());

      await engine.setMasterPassword(FORK_ID, FORK_ID, 'n3w-password-of-32-characters-ok');

      expect(plane.inputsOf('ModifyDBCluster')).toEqual([
        {
          DBClusterIdentifier: FORK_ID,
          MasterUserPassword: 'n3w-password-of-32-characters-ok',
          ApplyImmediately: true,
        },
      ]);
    });

    it('takes a refusal by a cluster already resetting-master-credentials as done (a retried rotation)', async () => {
      plane.clusters.push(spec.fork({ Status: 'resetting-master-credentials' }));
      plane.on('ModifyDBCluster', () => {
        throw Object.assign(new Error('not in available state'), { name: 'InvalidDBClusterStateFault' });
      });

      await expect(engine.setMasterPassword(FORK_ID, FORK_ID, 'x'.repeat(32))).resolves.toBeUndefined();
    });

    it('lets a refusal by a cluster busy otherwise through', async () => {
      plane.clusters.push(spec.fork({ Status: 'modifying' }));
      plane.on('ModifyDBCluster', () => {
        throw Object.assign(new Error('not in available state'), { name: 'InvalidDBClusterStateFault' });
      });

      await expect(engine.setMasterPassword(FORK_ID, FORK_ID, 'x'.repeat(32))).rejects.toMatchObject({
        name: 'InvalidDBClusterStateFault',
      });
    });

    it('refuses to change the password of a cluster that is not the fork’s', async () => {
      await expect(
        engine.setMasterPassword(spec.expected.id, FORK_ID, 'x'.repeat(32)),
      ).rejects.toBeInstanceOf(NotManagedResourceError);
      expect(plane.writes()).toEqual([]);
    });
  });

  describe('retag', () => {
    const tags = [{ Key: 'dbfork:owner', Value: 'alice' }];

    it('sets the tags on the cluster and each of its instances and removes the given keys', async () => {
      plane.clusters.push(spec.fork());
      plane.instances.push(spec.forkWriter());

      await engine.retag(FORK_ID, FORK_ID, tags, ['dbfork:pool']);

      const arns = [spec.fork().DBClusterArn, spec.forkWriter().DBInstanceArn];
      expect(plane.inputsOf('AddTagsToResource')).toEqual(
        arns.map((ResourceName) => ({ ResourceName, Tags: tags })),
      );
      expect(plane.inputsOf('RemoveTagsFromResource')).toEqual(
        arns.map((ResourceName) => ({ ResourceName, TagKeys: ['dbfork:pool'] })),
      );
    });

    it('changes no tag when the cluster or one of its instances is not the fork’s', async () => {
      plane.clusters.push(spec.fork());
      plane.instances.push(spec.forkWriter(UNTAGGED));

      await expect(engine.retag(FORK_ID, FORK_ID, tags, [])).rejects.toBeInstanceOf(NotManagedResourceError);
      await expect(engine.retag(FORK_ID, 'fork-000000000000', tags, [])).rejects.toBeInstanceOf(
        NotManagedResourceError,
      );
      expect(plane.writes()).toEqual([]);
    });
  });

  describe('deleteFork', () => {
    it('deletes the fork’s instances first and leaves the cluster for the next call', async () => {
      plane.clusters.push(spec.fork());
      plane.instances.push(spec.forkWriter());

      await engine.deleteFork(FORK_ID, FORK_ID);

      expect(plane.writes()).toEqual(['DeleteDBInstance']);
      expect(plane.inputsOf('DeleteDBInstance')).toEqual([spec.deleteInstanceInput]);
    });

    it('takes an AccessDenied on a cluster gone meanwhile (a concurrent teardown) as deleted', async () => {
      plane.clusters.push(spec.fork());
      plane.on('DeleteDBCluster', () => {
        plane.clusters = [];
        throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      });

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
    });

    it('lets an AccessDenied on a cluster that is still there through', async () => {
      plane.clusters.push(spec.fork());
      plane.on('DeleteDBCluster', () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      });

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).rejects.toMatchObject({ name: 'AccessDenied' });
    });

    it('deletes the cluster, skipping the final snapshot, once it has no instances', async () => {
      plane.clusters.push(spec.fork());

      await engine.deleteFork(FORK_ID, FORK_ID);

      expect(plane.writes()).toEqual(['DeleteDBCluster']);
      expect(plane.inputsOf('DeleteDBCluster')).toEqual([spec.deleteClusterInput]);
    });

    it('succeeds without a call when the cluster is gone, or already being deleted', async () => {
      await engine.deleteFork(FORK_ID, FORK_ID);
      plane.clusters.push(spec.fork({ Status: 'deleting' }));
      await engine.deleteFork(FORK_ID, FORK_ID);

      expect(plane.writes()).toEqual([]);
    });

    it.each([
      ['creating', 'InvalidDBInstanceStateFault'],
      ['modifying', 'InvalidDBInstanceState'],
    ])('leaves a writer that is %s (%s) to the next call, without failing', async (status, fault) => {
      plane.clusters.push(spec.fork());
      plane.instances.push(spec.forkWriter({ DBInstanceStatus: status }));
      plane.on('DeleteDBInstance', () => {
        throw Object.assign(new Error(`Instance ${FORK_WRITER_ID} is ${status}`), { name: fault });
      });

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
      expect(plane.writes()).toEqual(['DeleteDBInstance']);
    });

    it('leaves a cluster that is resetting its master credentials to the next call', async () => {
      plane.clusters.push(spec.fork({ Status: 'resetting-master-credentials' }));
      plane.on('DeleteDBCluster', () => {
        throw Object.assign(new Error('DB cluster is not in available state'), {
          name: 'InvalidDBClusterStateFault',
        });
      });

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
      expect(plane.writes()).toEqual(['DeleteDBCluster']);
    });

    it('leaves a cluster that still reports instances to the next call', async () => {
      plane.clusters.push(spec.fork());
      plane.on('DeleteDBCluster', () => {
        throw clusterHasInstances();
      });

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
    });

    it('refuses an untagged cluster, and the source itself, sending no delete', async () => {
      plane.clusters.push(spec.fork(UNTAGGED));

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).rejects.toBeInstanceOf(NotManagedResourceError);
      await expect(engine.deleteFork(spec.expected.id, FORK_ID)).rejects.toBeInstanceOf(
        NotManagedResourceError,
      );
      expect(plane.writes()).toEqual([]);
    });

    it('refuses a cluster of another fork', async () => {
      plane.clusters.push(spec.fork());

      await expect(engine.deleteFork(FORK_ID, 'fork-000000000000')).rejects.toBeInstanceOf(
        NotManagedResourceError,
      );
      expect(plane.writes()).toEqual([]);
    });

    it('deletes nothing when an instance in the fork’s cluster is not the fork’s', async () => {
      plane.clusters.push(spec.fork());
      plane.instances.push(
        spec.forkWriter(),
        spec.forkWriter({ DBInstanceIdentifier: `${FORK_ID}-2`, ...UNTAGGED }),
      );

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).rejects.toBeInstanceOf(NotManagedResourceError);
      expect(plane.writes()).toEqual([]);
    });
  });
}
