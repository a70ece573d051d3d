import {
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorEventRecord } from '../../../local/emulator-config.js';
import {
  createAvailableCluster,
  createAvailableInstance,
  MOTO_ACCOUNT_ID,
  MOTO_REGION,
  motoClientConfig,
  motoEndpoint,
  resetMoto,
  setEmulatorConfig,
  waitForAvailable,
  waitForEmulatorEvents,
} from '../../support/moto.js';

const DELAY_MS = 100;

const idsOf = (log: readonly EmulatorEventRecord[], identifier: string): string[] =>
  log.filter((r) => r.event.detail.SourceIdentifier === identifier).map((r) => r.event.detail.EventID);
const has =
  (identifier: string, ...eventIds: string[]) =>
  (log: readonly EmulatorEventRecord[]) =>
    eventIds.every((id) => idsOf(log, identifier).includes(id));

/** local/moto/faithful/events.py: the RDS events AWS documents, on the emulator's default bus. */
describe('faithful mode: RDS events', () => {
  let rds: RDSClient;

  beforeEach(async () => {
    await resetMoto();
    await setEmulatorConfig({ faithful: true, delayMs: DELAY_MS });
    rds = new RDSClient(motoClientConfig());
  });

  it('emits "DB instance created" in the EventBridge shape AWS documents, with no RDS call after the create', async () => {
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'fork-created',
        Engine: 'postgres',
        EngineVersion: '16.4',
        DBInstanceClass: 'db.t4g.micro',
        MasterUsername: 'orders',
        MasterUserPassword: 'orders-password',
      }),
    );

    // Only the control endpoint is read from here on: the ticker applies the transition.
    const log = await waitForEmulatorEvents(has('fork-created', 'RDS-EVENT-0005'));

    const arn = `arn:aws:rds:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:db:fork-created`;
    expect(log).toEqual([
      {
        dropped: false,
        event: {
          source: 'aws.rds',
          'detail-type': 'RDS DB Instance Event',
          resources: [arn],
          detail: {
            EventCategories: ['creation'],
            SourceType: 'DB_INSTANCE',
            SourceArn: arn,
            Date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            Message: 'DB instance created',
            SourceIdentifier: 'fork-created',
            EventID: 'RDS-EVENT-0005',
          },
        },
      },
    ]);
  });

  it('emits the snapshot, restore, password reset and deletion events of an instance fork', async () => {
    await createAvailableInstance(rds, 'orders');
    await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders', DBSnapshotIdentifier: 'orders-snap' }),
    );
    await waitForAvailable({ dbSnapshot: 'orders-snap' });
    await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: 'fork-snap',
        DBSnapshotIdentifier: 'orders-snap',
      }),
    );
    await rds.send(
      new RestoreDBInstanceToPointInTimeCommand({
        SourceDBInstanceIdentifier: 'orders',
        TargetDBInstanceIdentifier: 'fork-pitr',
        UseLatestRestorableTime: true,
      }),
    );
    await waitForEmulatorEvents(has('fork-snap', 'RDS-EVENT-0043'));
    await waitForEmulatorEvents(has('fork-pitr', 'RDS-EVENT-0019'));
    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'fork-snap',
        MasterUserPassword: 'another-password',
        ApplyImmediately: true,
      }),
    );
    await waitForEmulatorEvents(has('fork-snap', 'RDS-EVENT-0016'));
    await rds.send(
      new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'fork-snap', SkipFinalSnapshot: true }),
    );

    const log = await waitForEmulatorEvents(has('fork-snap', 'RDS-EVENT-0003'));

    expect(idsOf(log, 'orders-snap')).toEqual(['RDS-EVENT-0040', 'RDS-EVENT-0042']);
    expect(idsOf(log, 'fork-snap')).toEqual(['RDS-EVENT-0043', 'RDS-EVENT-0016', 'RDS-EVENT-0003']);
    expect(idsOf(log, 'fork-pitr')).toEqual(['RDS-EVENT-0019']);
    const restored = log.find((r) => r.event.detail.EventID === 'RDS-EVENT-0043');
    expect(restored?.event.detail.Message).toBe(
      'Restored from snapshot orders-snap. The DB instance has been restored from a DB snapshot',
    );
    expect(restored?.event.detail.EventCategories).toEqual(['restoration']);
    const snapshot = log.find((r) => r.event.detail.EventID === 'RDS-EVENT-0042');
    expect(snapshot?.event['detail-type']).toBe('RDS DB Snapshot Event');
    expect(snapshot?.event.detail.SourceType).toBe('SNAPSHOT');
    expect(snapshot?.event.detail.SourceArn).toBe(
      `arn:aws:rds:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:snapshot:orders-snap`,
    );
  });

  it('emits the cluster, cluster snapshot and cluster instance events of an Aurora fork', async () => {
    await createAvailableCluster(rds, 'ledger');
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'ledger',
        DBClusterSnapshotIdentifier: 'ledger-snap',
      }),
    );
    await waitForAvailable({ clusterSnapshot: 'ledger-snap' });
    await rds.send(
      new RestoreDBClusterToPointInTimeCommand({
        SourceDBClusterIdentifier: 'ledger',
        DBClusterIdentifier: 'fork-ledger',
        UseLatestRestorableTime: true,
      }),
    );
    await waitForEmulatorEvents(has('fork-ledger', 'RDS-EVENT-0170'));
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'fork-ledger-1',
        DBClusterIdentifier: 'fork-ledger',
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r6g.large',
      }),
    );
    await rds.send(
      new ModifyDBClusterCommand({
        DBClusterIdentifier: 'fork-ledger',
        MasterUserPassword: 'another-password',
        ApplyImmediately: true,
      }),
    );
    await waitForEmulatorEvents(has('fork-ledger-1', 'RDS-EVENT-0005'));
    await waitForEmulatorEvents(has('fork-ledger', 'RDS-EVENT-0016'));
    await rds.send(
      new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'fork-ledger-1', SkipFinalSnapshot: true }),
    );
    await waitForEmulatorEvents(has('fork-ledger-1', 'RDS-EVENT-0003'));
    await rds.send(
      new DeleteDBClusterCommand({ DBClusterIdentifier: 'fork-ledger', SkipFinalSnapshot: true }),
    );

    const log = await waitForEmulatorEvents(has('fork-ledger', 'RDS-EVENT-0171'));

    expect(idsOf(log, 'ledger-snap')).toEqual(['RDS-EVENT-0074', 'RDS-EVENT-0075']);
    expect(idsOf(log, 'fork-ledger')).toEqual(['RDS-EVENT-0170', 'RDS-EVENT-0016', 'RDS-EVENT-0171']);
    const deleted = log.find((r) => r.event.detail.EventID === 'RDS-EVENT-0171');
    expect(deleted?.event).toMatchObject({
      'detail-type': 'RDS DB Cluster Event',
      resources: [`arn:aws:rds:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:cluster:fork-ledger`],
      detail: { SourceType: 'CLUSTER', EventCategories: ['deletion'], Message: 'DB cluster deleted' },
    });
    const clusterSnapshot = log.find((r) => r.event.detail.EventID === 'RDS-EVENT-0075');
    expect(clusterSnapshot?.event).toMatchObject({
      'detail-type': 'RDS DB Cluster Snapshot Event',
      detail: { SourceType: 'CLUSTER_SNAPSHOT', EventCategories: ['backup'] },
    });
  });

  it('emits the failure event AWS documents when an injected failure ends a restore', async () => {
    await createAvailableInstance(rds, 'orders');
    await createAvailableCluster(rds, 'ledger');
    await setEmulatorConfig({
      failures: { restoreTargets: { 'fork-net': 'incompatible-network', 'fork-broken': 'restore-error' } },
    });
    await rds.send(
      new RestoreDBInstanceToPointInTimeCommand({
        SourceDBInstanceIdentifier: 'orders',
        TargetDBInstanceIdentifier: 'fork-net',
        UseLatestRestorableTime: true,
      }),
    );
    await rds.send(
      new RestoreDBClusterToPointInTimeCommand({
        SourceDBClusterIdentifier: 'ledger',
        DBClusterIdentifier: 'fork-broken',
        UseLatestRestorableTime: true,
      }),
    );

    const log = await waitForEmulatorEvents(
      (l) => has('fork-net', 'RDS-EVENT-0036')(l) && has('fork-broken', 'RDS-EVENT-0354')(l),
    );

    expect(idsOf(log, 'fork-net')).toEqual(['RDS-EVENT-0036']);
    expect(idsOf(log, 'fork-broken')).toEqual(['RDS-EVENT-0354']);
    const failed = log.find((r) => r.event.detail.EventID === 'RDS-EVENT-0354');
    expect(failed?.event.detail.EventCategories).toEqual(['failure']);
    expect(failed?.event.detail.Message).toContain('restore-error');
  });

  it('drops the configured fraction of events, evenly, and records which', async () => {
    await setEmulatorConfig({ events: { dropFraction: 0.5 } });
    for (const id of ['fork-a', 'fork-b', 'fork-c', 'fork-d']) {
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: id,
          Engine: 'mysql',
          DBInstanceClass: 'db.t3.micro',
          MasterUsername: 'orders',
          MasterUserPassword: 'orders-password',
        }),
      );
    }

    const log = await waitForEmulatorEvents((l) => l.length === 4);

    expect(log.map((r) => r.dropped)).toEqual([false, true, false, true]);
  });

  it('refuses a drop fraction outside 0..1', async () => {
    const response = await fetch(`${motoEndpoint()}/dbfork-emulator/config`, {
      method: 'POST',
      body: JSON.stringify({ events: { dropFraction: 1.5 } }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'events.dropFraction must be a number from 0 to 1' });
  });
});
