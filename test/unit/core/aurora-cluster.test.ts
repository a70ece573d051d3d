import { RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuroraClusterEngine } from '../../../lambdas/core/engines/aurora-cluster.js';
import { clusterEngineContract } from './cluster-contract.js';
import {
  AURORA_ID,
  auroraCluster,
  auroraSource,
  auroraWriter,
  clusterPlan,
  DOCDB_ID,
  docdbCluster,
  FORK_WRITER_ID,
  forkCluster,
  forkWriter,
  planSnapshot,
} from './cluster-fixtures.js';
import { FakeControlPlane } from './fake-control-plane.js';
import { FORK_ID, FORK_TAGS } from './fixtures.js';

function create() {
  const client = new RDSClient({ region: 'us-east-1' });
  return { engine: new AuroraClusterEngine(client), plane: new FakeControlPlane(client, true) };
}

describe('AuroraClusterEngine', () => {
  clusterEngineContract({
    create,
    source: auroraCluster(),
    writer: auroraWriter(),
    expected: auroraSource(),
    otherFamily: docdbCluster(),
    fork: forkCluster,
    forkWriter,
    writerInput: {
      DBInstanceIdentifier: FORK_WRITER_ID,
      DBClusterIdentifier: FORK_ID,
      Engine: 'aurora-postgresql',
      DBInstanceClass: 'db.r6g.xlarge',
      DBParameterGroupName: 'analytics-pg15',
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: false,
      Tags: FORK_TAGS,
    },
    deleteInstanceInput: { DBInstanceIdentifier: FORK_WRITER_ID },
    deleteClusterInput: {
      DBClusterIdentifier: FORK_ID,
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: true,
    },
    // Aurora restores take every setting at once: the cluster parameter group, the retention.
    restoreCommon: {
      DBClusterIdentifier: FORK_ID,
      VpcSecurityGroupIds: ['sg-0a0a0a0a'],
      DBSubnetGroupName: 'analytics-private',
      Port: 5432,
      DeletionProtection: false,
      Tags: FORK_TAGS,
      DBClusterParameterGroupName: 'analytics-cluster-pg15',
      BackupRetentionPeriod: 1,
      CopyTagsToSnapshot: false,
    },
    snapshotRestore: { Engine: 'aurora-postgresql', EngineVersion: '15.3' },
    snapshotEngineVersion: '15.3',
  });

  describe('Aurora restores', () => {
    let engine: AuroraClusterEngine;
    let plane: FakeControlPlane;

    beforeEach(() => {
      ({ engine, plane } = create());
      plane.clusters = [auroraCluster()];
      plane.snapshots = [planSnapshot(auroraSource(), '15.4')];
    });

    it('names no default DB parameter group on the writer (default.aurora-postgresql16)', async () => {
      plane.clusters.push(forkCluster());

      await engine.createInstances(
        clusterPlan(auroraSource({ parameterGroupName: 'default.aurora-postgresql16' })),
      );

      expect(plane.inputsOf('CreateDBInstance')[0]).not.toHaveProperty('DBParameterGroupName');
    });

    it('passes an Aurora storage type override, and ignores an instance one such as gp3', async () => {
      await engine.restore(clusterPlan(auroraSource(), { storageType: 'aurora-iopt1' }));
      await engine.restore(clusterPlan(auroraSource(), { storageType: 'gp3' }));

      const [iopt, gp3] = plane.inputsOf('RestoreDBClusterFromSnapshot');
      expect(iopt).toMatchObject({ StorageType: 'aurora-iopt1' });
      expect(gp3).not.toHaveProperty('StorageType');
    });

    it('needs nothing set after the restore: a restored Aurora cluster already has its groups', async () => {
      plane.clusters.push(forkCluster());

      await engine.createInstances(clusterPlan(auroraSource()));

      expect(plane.writes()).toEqual(['CreateDBInstance']);
    });
  });

  describe('a Serverless v2 source', () => {
    const serverless = auroraCluster({
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
    });

    it('is described with its scaling and the db.serverless class of its writer', async () => {
      const { engine, plane } = create();
      plane.clusters = [serverless];
      plane.instances = [auroraWriter({ DBInstanceClass: 'db.serverless' })];

      const source = await engine.describeSource(AURORA_ID);

      expect(source).toMatchObject({
        instanceClass: 'db.serverless',
        serverlessV2Scaling: { minCapacity: 0.5, maxCapacity: 16 },
      });
    });

    it('is db.serverless even before it has a writer', async () => {
      const { engine, plane } = create();
      plane.clusters = [{ ...serverless, DBClusterMembers: [] }];

      await expect(engine.describeSource(AURORA_ID)).resolves.toMatchObject({
        instanceClass: 'db.serverless',
      });
    });

    it('restores with the source scaling configuration and adds a db.serverless writer', async () => {
      const { engine, plane } = create();
      const source = auroraSource({
        instanceClass: 'db.serverless',
        serverlessV2Scaling: { minCapacity: 0.5, maxCapacity: 16 },
      });
      plane.clusters = [serverless];

      await engine.restore(clusterPlan(source, { target: { type: 'clone' } }));
      plane.clusters.push(forkCluster());
      await engine.createInstances(clusterPlan(source));

      expect(plane.inputsOf('RestoreDBClusterToPointInTime')[0]).toMatchObject({
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
      });
      expect(plane.inputsOf('CreateDBInstance')[0]).toMatchObject({
        DBInstanceClass: 'db.serverless',
        DBParameterGroupName: 'analytics-pg15',
      });
    });
  });

  it('reads a pending password change of the fork cluster', async () => {
    const { engine, plane } = create();
    plane.clusters = [forkCluster({ PendingModifiedValues: { MasterUserPassword: '****' } })];

    await expect(engine.describeFork(FORK_ID)).resolves.toMatchObject({ passwordPending: true });
  });

  it('leaves DocumentDB clusters to the DocumentDB engine', async () => {
    const { engine, plane } = create();
    plane.clusters = [docdbCluster()];

    await expect(engine.describeSource(DOCDB_ID)).resolves.toBeUndefined();
    await expect(engine.listSources()).resolves.toEqual([]);
  });
});
