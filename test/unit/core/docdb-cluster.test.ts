import { RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { DocDbClusterEngine } from '../../../lambdas/core/engines/docdb-cluster.js';
import { TAG } from '../../../lambdas/core/tags.js';
import { clusterEngineContract } from './cluster-contract.js';
import {
  AURORA_ID,
  auroraCluster,
  clusterNotFound,
  clusterPlan,
  DOCDB_ID,
  docdbCluster,
  docdbSource,
  docdbWriter,
  FORK_WRITER_ID,
  forkCluster,
  forkWriter,
  planSnapshot,
} from './cluster-fixtures.js';
import { FakeControlPlane } from './fake-control-plane.js';
import { FORK_ID, FORK_TAGS } from './fixtures.js';

/**
 * DocumentDB's Describe* answers carry no TagList: the fake strips them, as the real API does. The
 * engine talks to it through the RDS client (DocumentDB's API is the RDS API).
 */
function create() {
  const client = new RDSClient({ region: 'us-east-1' });
  return { engine: new DocDbClusterEngine(client), plane: new FakeControlPlane(client, false) };
}

const docdbFork = (overrides: Parameters<typeof forkCluster>[0] = {}) =>
  forkCluster({ Engine: 'docdb', Port: 27017, DBClusterParameterGroup: 'catalog-docdb5', ...overrides });
const docdbForkWriter = (overrides: Parameters<typeof forkWriter>[0] = {}) =>
  forkWriter({ Engine: 'docdb', DBInstanceClass: 'db.r6g.large', ...overrides });

describe('DocDbClusterEngine', () => {
  clusterEngineContract({
    create,
    source: docdbCluster(),
    writer: docdbWriter(),
    expected: docdbSource(),
    otherFamily: auroraCluster(),
    fork: docdbFork,
    forkWriter: docdbForkWriter,
    // DocumentDB instances take no DB parameter group.
    writerInput: {
      DBInstanceIdentifier: FORK_WRITER_ID,
      DBClusterIdentifier: FORK_ID,
      Engine: 'docdb',
      DBInstanceClass: 'db.r6g.large',
      Tags: FORK_TAGS,
    },
    deleteInstanceInput: { DBInstanceIdentifier: FORK_WRITER_ID },
    deleteClusterInput: { DBClusterIdentifier: FORK_ID, SkipFinalSnapshot: true },
    // No retention parameter on DocumentDB restores, and no parameter group on its point-in-time
    // restores: createInstances sets them afterwards (below).
    restoreCommon: {
      DBClusterIdentifier: FORK_ID,
      VpcSecurityGroupIds: ['sg-0d0c0d0c'],
      DBSubnetGroupName: 'catalog-private',
      Port: 27017,
      DeletionProtection: false,
      Tags: FORK_TAGS,
    },
    snapshotRestore: {
      Engine: 'docdb',
      EngineVersion: '4.0.0',
      DBClusterParameterGroupName: 'catalog-docdb5',
    },
    snapshotEngineVersion: '4.0.0',
  });

  describe('settings a restore could not take', () => {
    let engine: DocDbClusterEngine;
    let plane: FakeControlPlane;

    beforeEach(() => {
      ({ engine, plane } = create());
      plane.clusters = [docdbCluster()];
    });

    it('sets the source parameter group and a one-day retention, and adds the writer only once the cluster is available again', async () => {
      plane.clusters.push(
        docdbFork({ DBClusterParameterGroup: 'default.docdb5.0', BackupRetentionPeriod: 7 }),
      );
      plane.on('ModifyDBCluster', (input) => {
        // As AWS: the cluster is `modifying` with the new settings.
        plane.clusters = plane.clusters.map((c) =>
          c.DBClusterIdentifier === FORK_ID
            ? {
                ...c,
                Status: 'modifying',
                DBClusterParameterGroup: String(input.DBClusterParameterGroupName),
                BackupRetentionPeriod: Number(input.BackupRetentionPeriod),
              }
            : c,
        );
        return {};
      });
      const plan = clusterPlan(docdbSource());

      await expect(engine.createInstances(plan)).resolves.toBe(false);
      expect(plane.writes()).toEqual(['ModifyDBCluster']);
      await expect(engine.createInstances(plan)).resolves.toBe(false);
      expect(plane.writes()).toEqual(['ModifyDBCluster']);

      plane.clusters = plane.clusters.map((c) => ({ ...c, Status: 'available' }));
      await expect(engine.createInstances(plan)).resolves.toBe(false);
      expect(plane.writes()).toEqual(['ModifyDBCluster', 'CreateDBInstance']);
      expect(plane.inputsOf('ModifyDBCluster')).toEqual([
        {
          DBClusterIdentifier: FORK_ID,
          DBClusterParameterGroupName: 'catalog-docdb5',
          BackupRetentionPeriod: 1,
          ApplyImmediately: true,
        },
      ]);
    });

    it('is not done in the call that changed the cluster, even if the writer already exists', async () => {
      plane.clusters.push(docdbFork({ DBClusterParameterGroup: 'default.docdb5.0' }));
      plane.instances.push(docdbForkWriter());

      await expect(engine.createInstances(clusterPlan(docdbSource()))).resolves.toBe(false);
      expect(plane.writes()).toEqual(['ModifyDBCluster']);
    });
  });

  it('passes a DocumentDB storage type (iopt1) to snapshot and point-in-time restores', async () => {
    const { engine, plane } = create();
    plane.clusters = [docdbCluster()];
    plane.snapshots = [planSnapshot(docdbSource(), '5.0.0')];

    await engine.restore(clusterPlan(docdbSource(), { storageType: 'iopt1' }));
    await engine.restore(
      clusterPlan(docdbSource(), {
        targetId: 'fork-other',
        target: { type: 'point-in-time', useLatestRestorableTime: true },
        storageType: 'iopt1',
      }),
    );

    expect(plane.inputsOf('RestoreDBClusterFromSnapshot')[0]).toMatchObject({ StorageType: 'iopt1' });
    expect(plane.inputsOf('RestoreDBClusterToPointInTime')[0]).toMatchObject({ StorageType: 'iopt1' });
  });

  it('keeps a source on the default cluster parameter group (default.docdb5.0) on it, modifying only the retention', async () => {
    const { engine, plane } = create();
    plane.clusters = [docdbFork({ DBClusterParameterGroup: 'default.docdb5.0', BackupRetentionPeriod: 7 })];

    await engine.createInstances(clusterPlan(docdbSource({ clusterParameterGroupName: 'default.docdb5.0' })));

    expect(plane.inputsOf('ModifyDBCluster')).toEqual([
      { DBClusterIdentifier: FORK_ID, BackupRetentionPeriod: 1, ApplyImmediately: true },
    ]);
  });

  it('reads tags through ListTagsForResource, which DocumentDB’s Describe* do not return', async () => {
    const { engine, plane } = create();
    plane.clusters = [docdbCluster({ TagList: [{ Key: TAG.allowFork, Value: 'true' }] })];
    plane.instances = [docdbWriter()];

    const source = await engine.describeSource(DOCDB_ID);

    expect(source?.tags).toEqual({ [TAG.allowFork]: 'true' });
    expect(plane.inputsOf('ListTagsForResource')).toEqual([{ ResourceName: docdbCluster().DBClusterArn }]);
  });

  describe('deleteFork racing another teardown (ListTagsForResource answers NotFound)', () => {
    it('takes a cluster deleted between its describe and its tags as gone, sending no delete', async () => {
      const { engine, plane } = create();
      plane.clusters = [docdbFork()];
      plane.on('ListTagsForResource', () => {
        throw clusterNotFound();
      });

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
      expect(plane.writes()).toEqual([]);
    });

    it('passes over an instance deleted since it was listed and deletes the others', async () => {
      const { engine, plane } = create();
      const second = docdbForkWriter({ DBInstanceIdentifier: `${FORK_ID}-2` });
      plane.clusters = [docdbFork()];
      // Listed with the cluster, but the writer is gone by the time its tags are asked for.
      plane.instances = [second];
      const listed = [docdbForkWriter(), second].map(({ TagList: _tags, ...rest }) => rest);
      plane.on('DescribeDBInstances', () => ({ DBInstances: listed }));

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
      expect(plane.inputsOf('DeleteDBInstance')).toEqual([{ DBInstanceIdentifier: `${FORK_ID}-2` }]);
    });
  });

  it('leaves Aurora clusters to the Aurora engine', async () => {
    const { engine, plane } = create();
    plane.clusters = [auroraCluster()];

    await expect(engine.describeSource(AURORA_ID)).resolves.toBeUndefined();
    await expect(engine.listSources()).resolves.toEqual([]);
  });
});
