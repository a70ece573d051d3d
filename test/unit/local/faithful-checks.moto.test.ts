import {
  CreateDBClusterCommand as CreateDocDbClusterCommand,
  DocDBClient,
  ModifyDBClusterCommand as ModifyDocDbClusterCommand,
} from '@aws-sdk/client-docdb';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { motoClientConfig, resetMoto, setEmulatorConfig, waitForAvailable } from '../../support/moto.js';

/** local/moto/faithful/checks.py: the rules AWS enforces before it accepts a request. */
describe('faithful mode: checks', () => {
  let rds: RDSClient;
  let docdb: DocDBClient;

  beforeEach(async () => {
    await resetMoto();
    await setEmulatorConfig({ faithful: true, delayMs: 100 });
    rds = new RDSClient(motoClientConfig());
    docdb = new DocDBClient(motoClientConfig());
  });

  const createInstance = (id: string, password = 'orders-password') =>
    rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.micro',
        MasterUsername: 'orders',
        MasterUserPassword: password,
      }),
    );
  const createCluster = (id: string) =>
    rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: id,
        Engine: 'aurora-postgresql',
        MasterUsername: 'ledger',
        MasterUserPassword: 'ledger-password',
      }),
    );

  // The resource must still be `creating` when the next request arrives, however slow the machine.
  const STILL_CREATING = { delaysMs: { create: 60_000 } };

  it('refuses ModifyDBInstance on an instance that is not available (InvalidDBInstanceStateFault)', async () => {
    await setEmulatorConfig(STILL_CREATING);
    await createInstance('orders');

    await expect(
      rds.send(
        new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'orders', MasterUserPassword: 'new-password' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses ModifyDBCluster and CreateDBInstance into a cluster that is not available', async () => {
    await setEmulatorConfig(STILL_CREATING);
    await createCluster('ledger');

    await expect(
      rds.send(
        new ModifyDBClusterCommand({ DBClusterIdentifier: 'ledger', MasterUserPassword: 'new-password' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDBClusterStateFault' });
    await expect(
      rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: 'ledger-1',
          DBClusterIdentifier: 'ledger',
          Engine: 'aurora-postgresql',
          DBInstanceClass: 'db.r6g.large',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDBClusterStateFault' });
  });

  it('refuses to delete what is already being deleted', async () => {
    await createInstance('orders');
    await createCluster('ledger');
    await waitForAvailable({ instance: 'orders' });
    await waitForAvailable({ cluster: 'ledger' });
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'orders', SkipFinalSnapshot: true }));
    await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'ledger', SkipFinalSnapshot: true }));

    await expect(
      rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'orders', SkipFinalSnapshot: true })),
    ).rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault' });
    await expect(
      rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'ledger', SkipFinalSnapshot: true })),
    ).rejects.toMatchObject({ name: 'InvalidDBClusterStateFault' });
  });

  it('does not find an automated snapshot by identifier unless SnapshotType=automated is given', async () => {
    await createInstance('orders');
    await createCluster('ledger');
    const automated = (
      await rds.send(
        new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'orders', SnapshotType: 'automated' }),
      )
    ).DBSnapshots?.[0]?.DBSnapshotIdentifier;
    const automatedCluster = (
      await rds.send(
        new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'ledger', SnapshotType: 'automated' }),
      )
    ).DBClusterSnapshots?.[0]?.DBClusterSnapshotIdentifier;
    expect(automated).toMatch(/^rds:orders-/);

    await expect(
      rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: automated })),
    ).rejects.toMatchObject({ name: 'DBSnapshotNotFoundFault', $metadata: { httpStatusCode: 404 } });
    await expect(
      rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: automatedCluster })),
    ).rejects.toMatchObject({ name: 'DBClusterSnapshotNotFoundFault' });
    const typed = await rds.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: automated, SnapshotType: 'automated' }),
    );
    expect(typed.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual([automated]);
  });

  it('refuses UseLatestRestorableTime together with a restore time (InvalidParameterCombination)', async () => {
    await createInstance('orders');
    await createCluster('ledger');
    await waitForAvailable({ instance: 'orders' });
    await waitForAvailable({ cluster: 'ledger' });
    const when = new Date(Date.now() - 60_000);

    await expect(
      rds.send(
        new RestoreDBInstanceToPointInTimeCommand({
          SourceDBInstanceIdentifier: 'orders',
          TargetDBInstanceIdentifier: 'fork',
          UseLatestRestorableTime: true,
          RestoreTime: when,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(
      rds.send(
        new RestoreDBClusterToPointInTimeCommand({
          DBClusterIdentifier: 'fork',
          SourceDBClusterIdentifier: 'ledger',
          UseLatestRestorableTime: true,
          RestoreToTime: when,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
  });

  it('refuses copy-on-write for an engine that cannot clone (neptune)', async () => {
    await rds.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'graph', Engine: 'neptune' }));
    await waitForAvailable({ cluster: 'graph' });

    await expect(
      rds.send(
        new RestoreDBClusterToPointInTimeCommand({
          DBClusterIdentifier: 'graph-fork',
          SourceDBClusterIdentifier: 'graph',
          RestoreType: 'copy-on-write',
          UseLatestRestorableTime: true,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
  });

  it('checks master passwords per engine: length and characters (InvalidParameterValue)', async () => {
    await expect(createInstance('short', 'seven77')).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(createInstance('slash', 'pass/word1')).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(createInstance('space', 'pass word1')).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(createInstance('long', 'p'.repeat(129))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(createInstance('longest', 'p'.repeat(128))).resolves.toBeDefined();
    await expect(
      rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: 'shop',
          Engine: 'mysql',
          DBInstanceClass: 'db.t4g.micro',
          MasterUsername: 'shop',
          MasterUserPassword: 'p'.repeat(42),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('refuses a short ModifyDBCluster password without removing the cluster (stock moto deletes it)', async () => {
    await docdb.send(
      new CreateDocDbClusterCommand({
        DBClusterIdentifier: 'catalog',
        Engine: 'docdb',
        MasterUsername: 'catalog',
        MasterUserPassword: 'catalog-password',
      }),
    );
    await waitForAvailable({ cluster: 'catalog' });

    await expect(
      docdb.send(new ModifyDocDbClusterCommand({ DBClusterIdentifier: 'catalog', MasterUserPassword: 'x' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      docdb.send(
        new ModifyDocDbClusterCommand({
          DBClusterIdentifier: 'catalog',
          MasterUserPassword: 'p'.repeat(101),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const described = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'catalog' }));
    expect(described.DBClusters?.[0]?.Status).toBe('available');
  });
});
