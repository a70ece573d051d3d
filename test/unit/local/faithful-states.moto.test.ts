import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createAvailableCluster,
  createAvailableInstance,
  motoClientConfig,
  resetMoto,
  setEmulatorConfig,
  waitForAvailable,
} from '../../support/moto.js';

const DELAY_MS = 150;

/** local/moto/faithful/states.py: the statuses AWS shows before `available`, and slow deletes. */
describe('faithful mode: statuses', () => {
  let rds: RDSClient;

  beforeEach(async () => {
    await resetMoto();
    await setEmulatorConfig({ faithful: true, delayMs: DELAY_MS });
    rds = new RDSClient(motoClientConfig());
  });

  const instanceStatus = async (id: string) =>
    (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0]
      ?.DBInstanceStatus;
  const clusterStatus = async (id: string) =>
    (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0]?.Status;

  it('shows a created instance as creating, then available once the delay has passed', async () => {
    const created = await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders',
        Engine: 'mysql',
        DBInstanceClass: 'db.t3.micro',
        MasterUsername: 'orders',
        MasterUserPassword: 'orders-password',
      }),
    );

    expect(created.DBInstance?.DBInstanceStatus).toBe('creating');
    expect(await instanceStatus('orders')).toBe('creating');
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS + 50));
    expect(await instanceStatus('orders')).toBe('available');
  });

  it('shows instance restores from a snapshot and to a point in time as creating first', async () => {
    await createAvailableInstance(rds, 'orders');
    await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders', DBSnapshotIdentifier: 'snap' }),
    );
    await waitForAvailable({ dbSnapshot: 'snap' });

    const fromSnapshot = await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: 'fork-a',
        DBSnapshotIdentifier: 'snap',
      }),
    );
    const toTime = await rds.send(
      new RestoreDBInstanceToPointInTimeCommand({
        SourceDBInstanceIdentifier: 'orders',
        TargetDBInstanceIdentifier: 'fork-b',
        UseLatestRestorableTime: true,
      }),
    );

    expect([fromSnapshot.DBInstance?.DBInstanceStatus, toTime.DBInstance?.DBInstanceStatus]).toEqual([
      'creating',
      'creating',
    ]);
    expect(await waitForAvailable({ instance: 'fork-a' })).toBe('available');
    expect(await waitForAvailable({ instance: 'fork-b' })).toBe('available');
  });

  it('shows an instance added to an available cluster as creating, then available', async () => {
    await createAvailableCluster(rds, 'ledger');

    const writer = await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'ledger-1',
        DBClusterIdentifier: 'ledger',
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.serverless',
      }),
    );

    expect(writer.DBInstance?.DBInstanceStatus).toBe('creating');
    expect(await waitForAvailable({ instance: 'ledger-1' })).toBe('available');
  });

  it('shows a DB snapshot and a cluster snapshot as creating first', async () => {
    await createAvailableInstance(rds, 'orders');
    await createAvailableCluster(rds, 'ledger');

    const snapshot = await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders', DBSnapshotIdentifier: 'snap' }),
    );
    const clusterSnapshot = await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'ledger',
        DBClusterSnapshotIdentifier: 'csnap',
      }),
    );

    expect(snapshot.DBSnapshot?.Status).toBe('creating');
    expect(clusterSnapshot.DBClusterSnapshot?.Status).toBe('creating');
    await waitForAvailable({ dbSnapshot: 'snap' });
    await waitForAvailable({ clusterSnapshot: 'csnap' });
  });

  it('keeps a created or restored cluster creating until the delay has passed (stock moto: available on the next call)', async () => {
    const created = await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'ledger',
        Engine: 'aurora-postgresql',
        MasterUsername: 'ledger',
        MasterUserPassword: 'ledger-password',
      }),
    );
    expect(created.DBCluster?.Status).toBe('creating');
    expect(await clusterStatus('ledger')).toBe('creating');
    expect(await clusterStatus('ledger')).toBe('creating');
    await waitForAvailable({ cluster: 'ledger' });

    await rds.send(
      new RestoreDBClusterToPointInTimeCommand({
        DBClusterIdentifier: 'ledger-fork',
        SourceDBClusterIdentifier: 'ledger',
        RestoreType: 'copy-on-write',
        UseLatestRestorableTime: true,
      }),
    );
    expect(await clusterStatus('ledger-fork')).toBe('creating');
    expect(await waitForAvailable({ cluster: 'ledger-fork' })).toBe('available');
  });

  it('shows resetting-master-credentials after a password change, for instances and clusters', async () => {
    await createAvailableInstance(rds, 'orders');
    await createAvailableCluster(rds, 'ledger');

    const instance = await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'orders',
        MasterUserPassword: 'rotated-password',
        ApplyImmediately: true,
      }),
    );
    const cluster = await rds.send(
      new ModifyDBClusterCommand({
        DBClusterIdentifier: 'ledger',
        MasterUserPassword: 'rotated-password',
        ApplyImmediately: true,
      }),
    );

    expect(instance.DBInstance?.DBInstanceStatus).toBe('resetting-master-credentials');
    expect(cluster.DBCluster?.Status).toBe('resetting-master-credentials');
    expect(await clusterStatus('ledger')).toBe('resetting-master-credentials');
    await waitForAvailable({ instance: 'orders' });
    await waitForAvailable({ cluster: 'ledger' });
  });

  it('shows a cluster whose port changes as modifying', async () => {
    await createAvailableCluster(rds, 'ledger');

    await rds.send(
      new ModifyDBClusterCommand({ DBClusterIdentifier: 'ledger', Port: 6543, ApplyImmediately: true }),
    );

    expect(await clusterStatus('ledger')).toBe('modifying');
    await waitForAvailable({ cluster: 'ledger' });
  });

  it('keeps a deleted instance and cluster visible as deleting, then answers NotFound', async () => {
    await createAvailableInstance(rds, 'orders');
    await createAvailableCluster(rds, 'ledger');

    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'orders', SkipFinalSnapshot: true }));
    await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'ledger', SkipFinalSnapshot: true }));

    expect(await instanceStatus('orders')).toBe('deleting');
    expect(await clusterStatus('ledger')).toBe('deleting');
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS + 50));
    await expect(instanceStatus('orders')).rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });
    await expect(clusterStatus('ledger')).rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });
  });

  it('lands a restore in the injected failure status, for the next restore or a named target', async () => {
    await createAvailableInstance(rds, 'orders');
    await setEmulatorConfig({
      failures: {
        nextRestore: 'incompatible-parameters',
        restoreTargets: { 'fork-net': 'incompatible-network' },
      },
    });

    for (const target of ['fork-next', 'fork-net', 'fork-ok']) {
      await rds.send(
        new RestoreDBInstanceToPointInTimeCommand({
          SourceDBInstanceIdentifier: 'orders',
          TargetDBInstanceIdentifier: target,
          UseLatestRestorableTime: true,
        }),
      );
    }

    await expect(waitForAvailable({ instance: 'fork-next' })).rejects.toThrow('incompatible-parameters');
    await expect(waitForAvailable({ instance: 'fork-net' })).rejects.toThrow('incompatible-network');
    expect(await waitForAvailable({ instance: 'fork-ok' })).toBe('available');
  });
});
