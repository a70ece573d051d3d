import {
  AddTagsToResourceCommand,
  CreateDBSnapshotCommand,
  DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBInstanceStateFault,
  ModifyDBInstanceCommand,
  RDSClient,
  RemoveTagsFromResourceCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RestorePlan } from '../../../lambdas/core/engines/engine.js';
import { RdsInstanceEngine } from '../../../lambdas/core/engines/rds-instance.js';
import { NotManagedResourceError } from '../../../lambdas/core/errors.js';
import { TAG } from '../../../lambdas/core/tags.js';
import {
  FORK_HOST,
  FORK_ID,
  FORK_TAGS,
  forkInstance,
  instanceAlreadyExists,
  instanceNotFound,
  SOURCE_ID,
  snapshot,
  snapshotNotFound,
  sourceDatabase,
  sourceInstance,
} from './fixtures.js';

let rds: AwsClientStub<RDSClient>;
let engine: RdsInstanceEngine;

beforeEach(() => {
  const client = new RDSClient({ region: 'us-east-1' });
  rds = mockClient(client);
  rds.onAnyCommand().rejects(new Error('unmocked RDS command'));
  engine = new RdsInstanceEngine(client);
});

const inputsOf = <T>(calls: { args: [{ input: T }] }[]): T[] => calls.map((call) => call.args[0].input);

function givenSource(overrides: Parameters<typeof sourceInstance>[0] = {}) {
  rds
    .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID })
    .resolves({ DBInstances: [sourceInstance(overrides)] });
  rds.on(DescribeDBInstanceAutomatedBackupsCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({
    DBInstanceAutomatedBackups: [
      { DBInstanceIdentifier: SOURCE_ID, RestoreWindow: { EarliestTime: new Date('2026-11-13T04:00:00Z') } },
    ],
  });
}

function givenNoFork(forkId = FORK_ID) {
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: forkId }).rejects(instanceNotFound(forkId));
}

function givenFork(overrides: Parameters<typeof forkInstance>[0] = {}) {
  rds
    .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
    .resolves({ DBInstances: [forkInstance(overrides)] });
}

function plan(overrides: Partial<RestorePlan> = {}): RestorePlan {
  return {
    forkId: FORK_ID,
    targetId: FORK_ID,
    source: sourceDatabase(),
    target: { type: 'snapshot', snapshotId: 'rds:orders-prod-2026-11-20-03-00' },
    instanceClass: 'db.t4g.medium',
    multiAz: false,
    storageType: 'gp3',
    vpcSecurityGroupIds: ['sg-0a1b2c3d', 'sg-0e5e5e5e'],
    subnetGroupName: 'orders-private',
    tags: FORK_TAGS,
    ...overrides,
  };
}

/** What every restore sends besides what identifies the source and the target. */
const RESTORE_COMMON = {
  DBInstanceClass: 'db.t4g.medium',
  MultiAZ: false,
  PubliclyAccessible: false,
  DeletionProtection: false,
  AutoMinorVersionUpgrade: false,
  CopyTagsToSnapshot: false,
  BackupRetentionPeriod: 1,
  VpcSecurityGroupIds: ['sg-0a1b2c3d', 'sg-0e5e5e5e'],
  DBSubnetGroupName: 'orders-private',
  DBParameterGroupName: 'orders-pg16',
  // The source is on the default option group `default:postgres-16`: AWS applies it when none is named.
  StorageType: 'gp3',
  Port: 5432,
  Tags: FORK_TAGS,
};

describe('RdsInstanceEngine', () => {
  describe('describeSource', () => {
    it('maps security groups (active only), subnet, parameter and option groups and the restorable window', async () => {
      givenSource();

      const source = await engine.describeSource(SOURCE_ID);

      expect(source).toEqual(sourceDatabase());
      expect(inputsOf(rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand))).toEqual([
        { DBInstanceIdentifier: SOURCE_ID },
      ]);
    });

    it('has no restorable window when automated backups are off', async () => {
      givenSource({ BackupRetentionPeriod: 0 });

      const source = await engine.describeSource(SOURCE_ID);

      expect(source?.restorableWindow).toEqual({});
      expect(rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand)).toEqual([]);
    });

    it('falls back to the instance creation time when automated backups cannot be listed', async () => {
      givenSource();
      const notImplemented = Object.assign(new Error('not implemented'), { name: 'NotImplemented' });
      rds.on(DescribeDBInstanceAutomatedBackupsCommand).rejects(notImplemented);

      const source = await engine.describeSource(SOURCE_ID);

      expect(source?.restorableWindow).toEqual({
        earliest: '2026-01-01T00:00:00.000Z',
        latest: '2026-11-20T11:55:00.000Z',
      });
    });

    it('returns undefined when there is no such instance', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(instanceNotFound('nope'));

      await expect(engine.describeSource('nope')).resolves.toBeUndefined();
    });

    it('does not swallow other errors', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .rejects(Object.assign(new Error('slow down'), { name: 'Throttling' }));

      await expect(engine.describeSource(SOURCE_ID)).rejects.toThrow('slow down');
    });
  });

  describe('listSources', () => {
    it('lists standalone instances across pages and skips cluster members', async () => {
      rds
        .on(DescribeDBInstancesCommand, {})
        .resolvesOnce({ DBInstances: [sourceInstance()], Marker: 'page-2' })
        .resolvesOnce({
          DBInstances: [
            sourceInstance({ DBInstanceIdentifier: 'aurora-1', DBClusterIdentifier: 'aurora' }),
            sourceInstance({ DBInstanceIdentifier: 'billing-prod' }),
          ],
        });

      const sources = await engine.listSources();

      expect(sources.map((s) => s.id)).toEqual([SOURCE_ID, 'billing-prod']);
      expect(inputsOf(rds.commandCalls(DescribeDBInstancesCommand))).toEqual([{}, { Marker: 'page-2' }]);
    });
  });

  describe('listBackups', () => {
    it('returns automated (rds:) and manual snapshots across pages, newest first', async () => {
      rds
        .on(DescribeDBSnapshotsCommand)
        .resolvesOnce({
          DBSnapshots: [
            snapshot({
              DBSnapshotIdentifier: 'rds:orders-prod-2026-11-18-03-00',
              SnapshotCreateTime: new Date('2026-11-18T03:00:00Z'),
            }),
            snapshot({
              DBSnapshotIdentifier: 'before-migration',
              SnapshotCreateTime: new Date('2026-11-19T15:30:00Z'),
            }),
          ],
          Marker: 'm1',
        })
        .resolvesOnce({
          DBSnapshots: [
            snapshot({
              DBSnapshotIdentifier: 'rds:orders-prod-2026-11-20-03-00',
              SnapshotCreateTime: new Date('2026-11-20T03:00:00Z'),
            }),
            snapshot({
              DBSnapshotIdentifier: 'in-progress',
              Status: 'creating',
              SnapshotCreateTime: undefined,
            }),
          ],
        });

      const backups = await engine.listBackups(sourceDatabase());

      expect(backups.map((b) => [b.id, b.type, b.status, b.createdAt])).toEqual([
        ['rds:orders-prod-2026-11-20-03-00', 'automated', 'available', '2026-11-20T03:00:00.000Z'],
        ['before-migration', 'manual', 'available', '2026-11-19T15:30:00.000Z'],
        ['rds:orders-prod-2026-11-18-03-00', 'automated', 'available', '2026-11-18T03:00:00.000Z'],
        ['in-progress', 'manual', 'creating', undefined],
      ]);
      expect(inputsOf(rds.commandCalls(DescribeDBSnapshotsCommand))).toEqual([
        { DBInstanceIdentifier: SOURCE_ID },
        { DBInstanceIdentifier: SOURCE_ID, Marker: 'm1' },
      ]);
    });

    it('maps a snapshot with its source, engine, arn and tags', async () => {
      rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: 'before-migration' }).resolves({
        DBSnapshots: [
          snapshot({ DBSnapshotIdentifier: 'before-migration', TagList: [{ Key: 'k', Value: 'v' }] }),
        ],
      });

      await expect(engine.describeSnapshot('before-migration')).resolves.toEqual({
        id: 'before-migration',
        arn: 'arn:aws:rds:us-east-1:123456789012:snapshot:before-migration',
        type: 'manual',
        status: 'available',
        createdAt: '2026-11-20T03:00:00.000Z',
        sourceId: SOURCE_ID,
        engine: 'postgres',
        tags: { k: 'v' },
      });
    });

    it('describes an automated snapshot (rds:…) with SnapshotType automated, as AWS requires', async () => {
      const id = 'rds:orders-prod-2026-11-20-03-00';
      rds
        .on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: id, SnapshotType: 'automated' }, true)
        .resolves({ DBSnapshots: [snapshot({ DBSnapshotIdentifier: id, SnapshotType: 'automated' })] });

      await expect(engine.describeSnapshot(id)).resolves.toMatchObject({ id, type: 'automated' });
      expect(inputsOf(rds.commandCalls(DescribeDBSnapshotsCommand))).toEqual([
        { DBSnapshotIdentifier: id, SnapshotType: 'automated' },
      ]);
    });

    it('describes a manual snapshot by its identifier alone', async () => {
      rds
        .on(DescribeDBSnapshotsCommand)
        .resolves({ DBSnapshots: [snapshot({ DBSnapshotIdentifier: 'mine' })] });

      await engine.describeSnapshot('mine');

      expect(inputsOf(rds.commandCalls(DescribeDBSnapshotsCommand))).toEqual([
        { DBSnapshotIdentifier: 'mine' },
      ]);
    });

    it('describes a missing snapshot as undefined', async () => {
      rds.on(DescribeDBSnapshotsCommand).rejects(snapshotNotFound('gone'));

      await expect(engine.describeSnapshot('gone')).resolves.toBeUndefined();
    });
  });

  describe('restore', () => {
    it('restores from a snapshot with the source network, groups, fork defaults and tags', async () => {
      givenNoFork();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});

      await engine.restore(plan());

      expect(inputsOf(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand))).toEqual([
        {
          DBInstanceIdentifier: FORK_ID,
          DBSnapshotIdentifier: 'rds:orders-prod-2026-11-20-03-00',
          ...RESTORE_COMMON,
        },
      ]);
      expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toEqual([]);
    });

    it('restores to a point in time with RestoreTime', async () => {
      givenNoFork();
      rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});

      await engine.restore(
        plan({ target: { type: 'point-in-time', restoreTime: '2026-11-20T10:00:00.000Z' } }),
      );

      expect(inputsOf(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand))).toEqual([
        {
          SourceDBInstanceIdentifier: SOURCE_ID,
          TargetDBInstanceIdentifier: FORK_ID,
          RestoreTime: new Date('2026-11-20T10:00:00.000Z'),
          ...RESTORE_COMMON,
        },
      ]);
    });

    it('restores to the latest restorable time with UseLatestRestorableTime and no RestoreTime', async () => {
      givenNoFork();
      rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});

      await engine.restore(plan({ target: { type: 'point-in-time', useLatestRestorableTime: true } }));

      const [input] = inputsOf(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand));
      expect(input).toEqual({
        SourceDBInstanceIdentifier: SOURCE_ID,
        TargetDBInstanceIdentifier: FORK_ID,
        UseLatestRestorableTime: true,
        ...RESTORE_COMMON,
      });
      expect(input).not.toHaveProperty('RestoreTime');
    });

    it('names no default parameter or option group (default.postgres16, default:mysql-8-0), only custom ones', async () => {
      givenNoFork();
      givenNoFork('fork-222222222222');
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
      const onDefaults = sourceDatabase({
        parameterGroupName: 'default.postgres16',
        optionGroupName: 'default:mysql-8-0',
      });
      const onCustom = sourceDatabase({
        parameterGroupName: 'orders-pg16',
        optionGroupName: 'orders-options',
      });

      await engine.restore(plan({ source: onDefaults }));
      await engine.restore(
        plan({ source: onCustom, targetId: 'fork-222222222222', forkId: 'fork-222222222222' }),
      );

      const [first, second] = inputsOf(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand));
      expect(first).not.toHaveProperty('DBParameterGroupName');
      expect(first).not.toHaveProperty('OptionGroupName');
      expect(second).toMatchObject({
        DBParameterGroupName: 'orders-pg16',
        OptionGroupName: 'orders-options',
      });
    });

    it('passes provisioned IOPS with an io2 storage type', async () => {
      givenNoFork();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});

      await engine.restore(plan({ storageType: 'io2', iops: 12000 }));

      const [input] = inputsOf(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand));
      expect(input).toMatchObject({ StorageType: 'io2', Iops: 12000 });
    });

    it('leaves out security groups and optional groups the plan does not have', async () => {
      givenNoFork();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
      const bare = sourceDatabase({
        parameterGroupName: undefined,
        optionGroupName: undefined,
        port: undefined,
      });

      await engine.restore(
        plan({
          source: bare,
          vpcSecurityGroupIds: [],
          subnetGroupName: undefined,
          instanceClass: undefined,
          storageType: undefined,
        }),
      );

      const [input] = inputsOf(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand));
      expect(JSON.parse(JSON.stringify(input))).toEqual({
        DBInstanceIdentifier: FORK_ID,
        DBSnapshotIdentifier: 'rds:orders-prod-2026-11-20-03-00',
        MultiAZ: false,
        PubliclyAccessible: false,
        DeletionProtection: false,
        AutoMinorVersionUpgrade: false,
        CopyTagsToSnapshot: false,
        BackupRetentionPeriod: 1,
        Tags: FORK_TAGS,
      });
    });

    it('continues without a restore call when the fork instance already exists with our tags', async () => {
      givenFork({ DBInstanceStatus: 'creating' });

      await engine.restore(plan());

      expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toEqual([]);
      expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toEqual([]);
    });

    it('refuses with NotManagedResourceError when an instance of that name exists without our tags', async () => {
      givenFork({ TagList: [{ Key: 'team', Value: 'someone-else' }] });

      await expect(engine.restore(plan())).rejects.toBeInstanceOf(NotManagedResourceError);
      expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toEqual([]);
    });

    it('refuses an instance tagged for another fork', async () => {
      givenFork({
        TagList: [
          { Key: TAG.managed, Value: 'true' },
          { Key: TAG.forkId, Value: 'fork-zzzzzzzzzzzz' },
        ],
      });

      await expect(engine.restore(plan())).rejects.toBeInstanceOf(NotManagedResourceError);
    });

    it('treats DBInstanceAlreadyExists from a concurrent attempt of ours as success', async () => {
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
        .rejectsOnce(instanceNotFound())
        .resolves({ DBInstances: [forkInstance({ DBInstanceStatus: 'creating' })] });
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(instanceAlreadyExists());

      await expect(engine.restore(plan())).resolves.toBeUndefined();
    });

    it('does not take over an instance that appeared concurrently without our tags', async () => {
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
        .rejectsOnce(instanceNotFound())
        .resolves({ DBInstances: [forkInstance({ TagList: [] })] });
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(instanceAlreadyExists());

      await expect(engine.restore(plan())).rejects.toBeInstanceOf(NotManagedResourceError);
    });

    it('cannot clone an RDS instance', async () => {
      givenNoFork();

      await expect(engine.restore(plan({ target: { type: 'clone' } }))).rejects.toThrow(
        'rds-instance cannot restore by clone',
      );
      expect(engine.supportedRestores).not.toContain('clone');
    });
  });

  describe('describeFork', () => {
    it('reports status, tags, endpoint and a pending password change', async () => {
      givenFork({ DBInstanceStatus: 'modifying', PendingModifiedValues: { MasterUserPassword: '****' } });

      await expect(engine.describeFork(FORK_ID)).resolves.toEqual({
        id: FORK_ID,
        arn: `arn:aws:rds:us-east-1:123456789012:db:${FORK_ID}`,
        status: 'modifying',
        tags: { [TAG.managed]: 'true', [TAG.forkId]: FORK_ID },
        endpoint: { host: FORK_HOST, port: 5432 },
        passwordPending: true,
      });
      expect(engine.isAvailable({ id: FORK_ID, status: 'available', tags: {}, passwordPending: false })).toBe(
        true,
      );
      expect(engine.isAvailable({ id: FORK_ID, status: 'modifying', tags: {}, passwordPending: false })).toBe(
        false,
      );
    });
  });

  describe('retag', () => {
    const tags = [{ Key: TAG.owner, Value: 'alice' }];

    it('sets the tags on our instance and removes the given keys', async () => {
      givenFork();
      rds.on(AddTagsToResourceCommand).resolves({});
      rds.on(RemoveTagsFromResourceCommand).resolves({});

      await engine.retag(FORK_ID, FORK_ID, tags, [TAG.pool]);

      const arn = forkInstance().DBInstanceArn;
      expect(inputsOf(rds.commandCalls(AddTagsToResourceCommand))).toEqual([
        { ResourceName: arn, Tags: tags },
      ]);
      expect(inputsOf(rds.commandCalls(RemoveTagsFromResourceCommand))).toEqual([
        { ResourceName: arn, TagKeys: [TAG.pool] },
      ]);
    });

    it('changes no tag on an instance that is not the fork’s', async () => {
      givenFork({ TagList: [] });

      await expect(engine.retag(FORK_ID, FORK_ID, tags, [])).rejects.toBeInstanceOf(NotManagedResourceError);
      expect(rds.commandCalls(AddTagsToResourceCommand)).toEqual([]);
    });
  });

  describe('setMasterPassword', () => {
    it('modifies our instance with ApplyImmediately and minimal backup retention', async () => {
      givenFork();
      rds.on(ModifyDBInstanceCommand).resolves({});

      await engine.setMasterPassword(FORK_ID, FORK_ID, 'S3cret-pass');

      expect(inputsOf(rds.commandCalls(ModifyDBInstanceCommand))).toEqual([
        {
          DBInstanceIdentifier: FORK_ID,
          MasterUserPassword: 'S3cret-pass',
          ApplyImmediately: true,
        },
      ]);
    });

    it('takes a refusal by an instance already resetting-master-credentials as done (a retried rotation)', async () => {
      givenFork({ DBInstanceStatus: 'resetting-master-credentials' });
      rds
        .on(ModifyDBInstanceCommand)
        .rejects(Object.assign(new Error('not in available state'), { name: 'InvalidDBInstanceStateFault' }));

      await expect(engine.setMasterPassword(FORK_ID, FORK_ID, 'S3cret-pass')).resolves.toBeUndefined();
    });

    it('lets a refusal in another busy state through (nothing is applying our password)', async () => {
      givenFork({ DBInstanceStatus: 'modifying' });
      rds
        .on(ModifyDBInstanceCommand)
        .rejects(Object.assign(new Error('not in available state'), { name: 'InvalidDBInstanceStateFault' }));

      await expect(engine.setMasterPassword(FORK_ID, FORK_ID, 'S3cret-pass')).rejects.toMatchObject({
        name: 'InvalidDBInstanceStateFault',
      });
    });

    it('refuses an instance without our tags (e.g. the source) and sends no ModifyDBInstance', async () => {
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID })
        .resolves({ DBInstances: [sourceInstance()] });

      await expect(engine.setMasterPassword(SOURCE_ID, FORK_ID, 'x')).rejects.toBeInstanceOf(
        NotManagedResourceError,
      );
      expect(rds.commandCalls(ModifyDBInstanceCommand)).toEqual([]);
    });

    it('refuses when the instance is missing', async () => {
      givenNoFork();

      await expect(engine.setMasterPassword(FORK_ID, FORK_ID, 'x')).rejects.toBeInstanceOf(
        NotManagedResourceError,
      );
      expect(rds.commandCalls(ModifyDBInstanceCommand)).toEqual([]);
    });
  });

  describe('deleteFork', () => {
    it('deletes our instance without a final snapshot or automated backups', async () => {
      givenFork();
      rds.on(DeleteDBInstanceCommand).resolves({});

      await engine.deleteFork(FORK_ID, FORK_ID);

      expect(inputsOf(rds.commandCalls(DeleteDBInstanceCommand))).toEqual([
        { DBInstanceIdentifier: FORK_ID, SkipFinalSnapshot: true, DeleteAutomatedBackups: true },
      ]);
    });

    it('takes an AccessDenied on an instance gone meanwhile (no tags left to match) as deleted', async () => {
      const notFound = Object.assign(new Error('not found'), { name: 'DBInstanceNotFoundFault' });
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
        .resolvesOnce({ DBInstances: [forkInstance()] })
        .rejects(notFound);
      rds.on(DeleteDBInstanceCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
    });

    it('lets an AccessDenied on an instance that is still there through', async () => {
      givenFork();
      rds.on(DeleteDBInstanceCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).rejects.toMatchObject({ name: 'AccessDenied' });
    });

    it('refuses an untagged instance with NotManagedResourceError and sends no DeleteDBInstance', async () => {
      givenFork({ TagList: [] });

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).rejects.toBeInstanceOf(NotManagedResourceError);
      expect(rds.commandCalls(DeleteDBInstanceCommand)).toEqual([]);
    });

    it('refuses the source database even when asked by its identifier', async () => {
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID })
        .resolves({ DBInstances: [sourceInstance()] });

      await expect(engine.deleteFork(SOURCE_ID, FORK_ID)).rejects.toBeInstanceOf(NotManagedResourceError);
      expect(rds.commandCalls(DeleteDBInstanceCommand)).toEqual([]);
    });

    it('refuses a dbfork instance of another fork', async () => {
      givenFork();

      await expect(engine.deleteFork(FORK_ID, 'fork-zzzzzzzzzzzz')).rejects.toBeInstanceOf(
        NotManagedResourceError,
      );
      expect(rds.commandCalls(DeleteDBInstanceCommand)).toEqual([]);
    });

    it('succeeds without a call when the instance is missing', async () => {
      givenNoFork();

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
      expect(rds.commandCalls(DeleteDBInstanceCommand)).toEqual([]);
    });

    it('does not delete again an instance already deleting', async () => {
      givenFork({ DBInstanceStatus: 'deleting' });

      await engine.deleteFork(FORK_ID, FORK_ID);

      expect(rds.commandCalls(DeleteDBInstanceCommand)).toEqual([]);
    });

    it('treats a concurrent delete (InvalidDBInstanceState, now deleting) as success', async () => {
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
        .resolvesOnce({ DBInstances: [forkInstance()] })
        .resolves({ DBInstances: [forkInstance({ DBInstanceStatus: 'deleting' })] });
      rds
        .on(DeleteDBInstanceCommand)
        .rejects(new InvalidDBInstanceStateFault({ message: 'is deleting', $metadata: {} }));

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
    });

    it.each(['creating', 'modifying', 'resetting-master-credentials'])(
      'leaves an instance that is %s (InvalidDBInstanceState) to the next call, without failing',
      async (status) => {
        givenFork({ DBInstanceStatus: status });
        rds
          .on(DeleteDBInstanceCommand)
          .rejects(new InvalidDBInstanceStateFault({ message: `is ${status}`, $metadata: {} }));

        await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
        await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
        // The next call asks again: the gone loop re-issues the delete until it is accepted.
        expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(2);
      },
    );

    it('still fails on any other delete error', async () => {
      givenFork();
      rds.on(DeleteDBInstanceCommand).rejects(new Error('InvalidParameterCombination'));

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).rejects.toThrow('InvalidParameterCombination');
    });

    it('treats a DeleteDBInstance NotFound race as success', async () => {
      givenFork();
      rds.on(DeleteDBInstanceCommand).rejects(instanceNotFound());

      await expect(engine.deleteFork(FORK_ID, FORK_ID)).resolves.toBeUndefined();
    });
  });

  describe('createSnapshot', () => {
    const snapshotId = `${FORK_ID}-source`;

    it('snapshots the source with the fork tags', async () => {
      rds
        .on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: snapshotId })
        .rejects(snapshotNotFound(snapshotId));
      rds.on(CreateDBSnapshotCommand).resolves({});

      await engine.createSnapshot(sourceDatabase(), snapshotId, FORK_TAGS);

      expect(inputsOf(rds.commandCalls(CreateDBSnapshotCommand))).toEqual([
        { DBInstanceIdentifier: SOURCE_ID, DBSnapshotIdentifier: snapshotId, Tags: FORK_TAGS },
      ]);
    });

    it('is idempotent: our existing snapshot means no second CreateDBSnapshot', async () => {
      rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: snapshotId }).resolves({
        DBSnapshots: [snapshot({ DBSnapshotIdentifier: snapshotId, Status: 'creating', TagList: FORK_TAGS })],
      });

      await engine.createSnapshot(sourceDatabase(), snapshotId, FORK_TAGS);
      await engine.createSnapshot(sourceDatabase(), snapshotId, FORK_TAGS);

      expect(rds.commandCalls(CreateDBSnapshotCommand)).toEqual([]);
    });

    it('refuses to adopt a snapshot of that name that is not ours', async () => {
      rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: snapshotId }).resolves({
        DBSnapshots: [snapshot({ DBSnapshotIdentifier: snapshotId, TagList: [] })],
      });

      await expect(engine.createSnapshot(sourceDatabase(), snapshotId, FORK_TAGS)).rejects.toBeInstanceOf(
        NotManagedResourceError,
      );
    });
  });

  describe('deleteSnapshot', () => {
    it('deletes our snapshot', async () => {
      rds
        .on(DescribeDBSnapshotsCommand)
        .resolves({ DBSnapshots: [snapshot({ DBSnapshotIdentifier: 's1', TagList: FORK_TAGS })] });
      rds.on(DeleteDBSnapshotCommand).resolves({});

      await engine.deleteSnapshot('s1', FORK_ID);

      expect(inputsOf(rds.commandCalls(DeleteDBSnapshotCommand))).toEqual([{ DBSnapshotIdentifier: 's1' }]);
    });

    it('refuses a snapshot that is not ours and sends no DeleteDBSnapshot', async () => {
      rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot()] });

      await expect(engine.deleteSnapshot('rds:orders-prod-2026-11-20-03-00', FORK_ID)).rejects.toBeInstanceOf(
        NotManagedResourceError,
      );
      expect(rds.commandCalls(DeleteDBSnapshotCommand)).toEqual([]);
    });

    it('succeeds when the snapshot is missing', async () => {
      rds.on(DescribeDBSnapshotsCommand).rejects(snapshotNotFound('s1'));

      await expect(engine.deleteSnapshot('s1', FORK_ID)).resolves.toBe(true);
      expect(rds.commandCalls(DeleteDBSnapshotCommand)).toEqual([]);
    });
  });
});
