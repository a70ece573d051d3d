import {
  CreateDBClusterCommand as CreateDocDbClusterCommand,
  CreateDBClusterSnapshotCommand as CreateDocDbClusterSnapshotCommand,
  CreateDBInstanceCommand as CreateDocDbInstanceCommand,
  DeleteDBClusterCommand as DeleteDocDbClusterCommand,
  DescribeDBClustersCommand as DescribeDocDbClustersCommand,
  DocDBClient,
  RestoreDBClusterFromSnapshotCommand as RestoreDocDbClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand as RestoreDocDbClusterToPointInTimeCommand,
} from '@aws-sdk/client-docdb';
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { motoClientConfig, resetMoto, waitForAvailable } from '../../support/moto.js';

/**
 * Tests of local/moto/launcher.py: moto 5.2 with the docdb engine and the restore guard. The
 * emulator runs in its faithful mode (docs/aws-fidelity.md), where the patches apply too: each
 * test waits for `available` before using a resource, as it would have to on AWS.
 */
describe('moto launcher', () => {
  let docdb: DocDBClient;
  let rds: RDSClient;

  beforeEach(async () => {
    await resetMoto();
    docdb = new DocDBClient(motoClientConfig());
    rds = new RDSClient(motoClientConfig());
  });

  async function createDocDbCluster(): Promise<void> {
    await docdb.send(
      new CreateDocDbClusterCommand({
        DBClusterIdentifier: 'catalog',
        Engine: 'docdb',
        MasterUsername: 'catalog',
        MasterUserPassword: 'catalog-password',
        BackupRetentionPeriod: 1,
      }),
    );
  }

  async function createDocDbSource(): Promise<void> {
    await createDocDbCluster();
    await waitForAvailable({ cluster: 'catalog' });
    await docdb.send(
      new CreateDocDbInstanceCommand({
        DBInstanceIdentifier: 'catalog-1',
        DBClusterIdentifier: 'catalog',
        Engine: 'docdb',
        DBInstanceClass: 'db.r6g.large',
      }),
    );
    await waitForAvailable({ instance: 'catalog-1' });
  }

  it('creates a DocumentDB cluster and instance with docdb defaults', async () => {
    const cluster = (
      await docdb.send(
        new CreateDocDbClusterCommand({
          DBClusterIdentifier: 'catalog',
          Engine: 'docdb',
          MasterUsername: 'catalog',
          MasterUserPassword: 'catalog-password',
        }),
      )
    ).DBCluster;
    // AWS refuses CreateDBInstance into a cluster that is still `creating`.
    await waitForAvailable({ cluster: 'catalog' });
    const instance = (
      await docdb.send(
        new CreateDocDbInstanceCommand({
          DBInstanceIdentifier: 'catalog-1',
          DBClusterIdentifier: 'catalog',
          Engine: 'docdb',
          DBInstanceClass: 'db.r6g.large',
        }),
      )
    ).DBInstance;

    expect(cluster).toMatchObject({
      Engine: 'docdb',
      EngineVersion: '5.0.0',
      Port: 27017,
      DBClusterParameterGroup: 'default.docdb5.0',
    });
    expect(instance).toMatchObject({
      Engine: 'docdb',
      EngineVersion: '5.0.0',
      DBClusterIdentifier: 'catalog',
      Endpoint: { Port: 27017 },
    });
  });

  it('restores a DocumentDB cluster from a snapshot', async () => {
    await createDocDbSource();
    await docdb.send(
      new CreateDocDbClusterSnapshotCommand({
        DBClusterIdentifier: 'catalog',
        DBClusterSnapshotIdentifier: 'catalog-snap',
      }),
    );
    await waitForAvailable({ clusterSnapshot: 'catalog-snap' });

    const restored = (
      await docdb.send(
        new RestoreDocDbClusterFromSnapshotCommand({
          DBClusterIdentifier: 'catalog-fork',
          SnapshotIdentifier: 'catalog-snap',
          Engine: 'docdb',
          Tags: [{ Key: 'dbfork:managed', Value: 'true' }],
        }),
      )
    ).DBCluster;

    expect(restored).toMatchObject({
      DBClusterIdentifier: 'catalog-fork',
      Engine: 'docdb',
      EngineVersion: '5.0.0',
      Port: 27017,
      DBClusterMembers: [],
    });
  });

  it('restores a DocumentDB cluster to a point in time and to the latest restorable time', async () => {
    await createDocDbSource();

    const atTime = (
      await docdb.send(
        new RestoreDocDbClusterToPointInTimeCommand({
          DBClusterIdentifier: 'catalog-pitr',
          SourceDBClusterIdentifier: 'catalog',
          RestoreToTime: new Date(Date.now() - 1_000),
        }),
      )
    ).DBCluster;
    const latest = (
      await docdb.send(
        new RestoreDocDbClusterToPointInTimeCommand({
          DBClusterIdentifier: 'catalog-latest',
          SourceDBClusterIdentifier: 'catalog',
          UseLatestRestorableTime: true,
        }),
      )
    ).DBCluster;
    const listed = await docdb.send(
      new DescribeDocDbClustersCommand({ Filters: [{ Name: 'engine', Values: ['docdb'] }] }),
    );

    expect(atTime).toMatchObject({ Engine: 'docdb', Port: 27017, EngineVersion: '5.0.0' });
    expect(latest).toMatchObject({ Engine: 'docdb', Port: 27017, EngineVersion: '5.0.0' });
    expect(listed.DBClusters?.map((cluster) => cluster.DBClusterIdentifier).sort()).toEqual([
      'catalog',
      'catalog-latest',
      'catalog-pitr',
    ]);
  });

  it('keeps the other engines working: an RDS PostgreSQL instance gets postgres defaults', async () => {
    const instance = (
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: 'orders',
          Engine: 'postgres',
          DBInstanceClass: 'db.t4g.micro',
          MasterUsername: 'orders',
          MasterUserPassword: 'orders-password',
        }),
      )
    ).DBInstance;

    expect(instance).toMatchObject({
      Engine: 'postgres',
      DBInstanceStatus: 'creating',
      Endpoint: { Port: 5432 },
      AllocatedStorage: 20,
    });
    await expect(waitForAvailable({ instance: 'orders' })).resolves.toBe('available');
  });

  it('restores an Aurora cluster snapshot whose source used ManageMasterUserPassword', async () => {
    const source = (
      await rds.send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: 'ledger',
          Engine: 'aurora-postgresql',
          MasterUsername: 'ledger',
          ManageMasterUserPassword: true,
        }),
      )
    ).DBCluster;
    await waitForAvailable({ cluster: 'ledger' });
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'ledger',
        DBClusterSnapshotIdentifier: 'ledger-snap',
      }),
    );
    await waitForAvailable({ clusterSnapshot: 'ledger-snap' });

    // moto 5.2.1 without the launcher's guard answers HTTP 500 (KeyError '_master_user_password').
    const restored = (
      await rds.send(
        new RestoreDBClusterFromSnapshotCommand({
          DBClusterIdentifier: 'ledger-fork',
          SnapshotIdentifier: 'ledger-snap',
          Engine: 'aurora-postgresql',
        }),
      )
    ).DBCluster;
    const described = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'ledger-fork' }));

    expect(source?.MasterUserSecret?.SecretArn).toMatch(/^arn:aws:secretsmanager:/);
    expect(restored).toMatchObject({
      DBClusterIdentifier: 'ledger-fork',
      Engine: 'aurora-postgresql',
      Port: 5432,
    });
    expect(described.DBClusters?.[0]?.DBClusterIdentifier).toBe('ledger-fork');
  });

  it('applies explicit false/0 restore parameters instead of keeping the source values', async () => {
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders',
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.micro',
        MasterUsername: 'orders',
        MasterUserPassword: 'orders-password',
        DeletionProtection: true,
        MultiAZ: true,
        PubliclyAccessible: true,
        BackupRetentionPeriod: 7,
      }),
    );
    await waitForAvailable({ instance: 'orders' });
    await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders', DBSnapshotIdentifier: 'orders-snap' }),
    );
    await waitForAvailable({ dbSnapshot: 'orders-snap' });
    const forkDefaults = {
      DeletionProtection: false,
      MultiAZ: false,
      PubliclyAccessible: false,
      BackupRetentionPeriod: 0,
    };

    const fromSnapshot = (
      await rds.send(
        new RestoreDBInstanceFromDBSnapshotCommand({
          DBInstanceIdentifier: 'orders-fork',
          DBSnapshotIdentifier: 'orders-snap',
          ...forkDefaults,
        }),
      )
    ).DBInstance;
    const toPointInTime = (
      await rds.send(
        new RestoreDBInstanceToPointInTimeCommand({
          SourceDBInstanceIdentifier: 'orders',
          TargetDBInstanceIdentifier: 'orders-pitr',
          UseLatestRestorableTime: true,
          ...forkDefaults,
        }),
      )
    ).DBInstance;

    expect(fromSnapshot).toMatchObject(forkDefaults);
    expect(toPointInTime).toMatchObject(forkDefaults);
    await waitForAvailable({ instance: 'orders-fork' });
    await expect(
      rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'orders-fork', SkipFinalSnapshot: true })),
    ).resolves.toBeDefined();
  });

  it('deletes a cluster’s automated snapshot with the cluster, as AWS does, unless told to keep it', async () => {
    const automatedOf = async (clusterId: string) =>
      (
        (await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: clusterId })))
          .DBClusterSnapshots ?? []
      )
        .filter((s) => s.SnapshotType === 'automated')
        .map((s) => s.DBClusterSnapshotIdentifier);
    for (const id of ['gone', 'kept']) {
      await rds.send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: id,
          Engine: 'aurora-postgresql',
          MasterUsername: 'ledger',
          MasterUserPassword: 'ledger-password',
        }),
      );
    }
    // Stock moto 5.2.1 keeps `rds:<cluster>-<time>` after DeleteDBCluster (DocumentDB clusters too).
    await createDocDbCluster();
    expect(await automatedOf('gone')).toEqual([expect.stringMatching(/^rds:gone-/)]);

    await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'gone', SkipFinalSnapshot: true }));
    await docdb.send(
      new DeleteDocDbClusterCommand({ DBClusterIdentifier: 'catalog', SkipFinalSnapshot: true }),
    );
    await rds.send(
      new DeleteDBClusterCommand({
        DBClusterIdentifier: 'kept',
        SkipFinalSnapshot: true,
        DeleteAutomatedBackups: false,
      }),
    );

    expect(await automatedOf('gone')).toEqual([]);
    expect(await automatedOf('catalog')).toEqual([]);
    expect(await automatedOf('kept')).toEqual([expect.stringMatching(/^rds:kept-/)]);
  });

  it('applies an explicit DeletionProtection=false to a DocumentDB cluster restored from a snapshot', async () => {
    await docdb.send(
      new CreateDocDbClusterCommand({
        DBClusterIdentifier: 'catalog',
        Engine: 'docdb',
        MasterUsername: 'catalog',
        MasterUserPassword: 'catalog-password',
        DeletionProtection: true,
      }),
    );
    await waitForAvailable({ cluster: 'catalog' });
    await docdb.send(
      new CreateDocDbClusterSnapshotCommand({
        DBClusterIdentifier: 'catalog',
        DBClusterSnapshotIdentifier: 'catalog-snap',
      }),
    );
    await waitForAvailable({ clusterSnapshot: 'catalog-snap' });

    const restored = (
      await docdb.send(
        new RestoreDocDbClusterFromSnapshotCommand({
          DBClusterIdentifier: 'catalog-fork',
          SnapshotIdentifier: 'catalog-snap',
          Engine: 'docdb',
          DeletionProtection: false,
        }),
      )
    ).DBCluster;

    expect(restored?.DeletionProtection).toBe(false);
    await waitForAvailable({ cluster: 'catalog-fork' });
    await expect(
      rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'catalog-fork', SkipFinalSnapshot: true })),
    ).resolves.toBeDefined();
  });

  it('answers AWSCURRENT to a GetSecretValue without version once UpdateSecretVersionStage moved it, as AWS does', async () => {
    const secrets = new SecretsManagerClient(motoClientConfig());
    await secrets.send(
      new CreateSecretCommand({ Name: 'dbfork/fork-staged000001', SecretString: '{"v":1}' }),
    );
    const pending = await secrets.send(
      new PutSecretValueCommand({
        SecretId: 'dbfork/fork-staged000001',
        SecretString: '{"v":2}',
        VersionStages: ['AWSPENDING'],
      }),
    );
    const read = async () =>
      (await secrets.send(new GetSecretValueCommand({ SecretId: 'dbfork/fork-staged000001' }))).SecretString;
    // A staged version is not what readers get.
    expect(await read()).toBe('{"v":1}');
    const stages = await secrets.send(new DescribeSecretCommand({ SecretId: 'dbfork/fork-staged000001' }));
    const current = Object.entries(stages.VersionIdsToStages ?? {}).find(([, s]) =>
      s.includes('AWSCURRENT'),
    )?.[0];

    await secrets.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'dbfork/fork-staged000001',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: pending.VersionId,
        RemoveFromVersionId: current,
      }),
    );

    expect(await read()).toBe('{"v":2}');
  });
});
