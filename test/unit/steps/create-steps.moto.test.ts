import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
/**
 * The first half of CreateFork: resolve-source, select-backup, check-snapshot, restore,
 * create-instances, check-database. The store runs on moto; RDS is mocked.
 */
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import {
  BackupNotFoundError,
  NotManagedResourceError,
  RestoreFailedError,
  RestoreWindowError,
  SourceNotAllowedError,
  SourceNotAvailableError,
  SourceNotFoundError,
  UnsupportedRestoreError,
  WaitTimeoutError,
} from '../../../lambdas/core/errors.js';
import type { SourceSummary } from '../../../lambdas/core/fork.js';
import { TAG } from '../../../lambdas/core/tags.js';
import { step as checkDatabase } from '../../../lambdas/steps/check-database.js';
import { step as checkSnapshot } from '../../../lambdas/steps/check-snapshot.js';
import { step as createInstances } from '../../../lambdas/steps/create-instances.js';
import { step as resolveSource } from '../../../lambdas/steps/resolve-source.js';
import { step as restore } from '../../../lambdas/steps/restore.js';
import { step as selectBackup } from '../../../lambdas/steps/select-backup.js';
import { TEST_NOW } from '../../support/runtime.js';
import {
  AURORA_ID,
  auroraCluster,
  auroraWriter,
  clusterArn,
  FORK_WRITER_ID,
  forkCluster,
  forkWriter,
} from '../core/cluster-fixtures.js';
import {
  FORK_ID,
  FORK_TAGS,
  forkRecord,
  instanceNotFound,
  SOURCE_ARN,
  SOURCE_ID,
  snapshot,
  snapshotNotFound,
} from '../core/fixtures.js';
import {
  forkAt,
  givenForkDatabase,
  givenNoClusters,
  givenNoForkDatabase,
  givenSource,
  inputsOf,
  runTwice,
  type StepTest,
  stepTest,
} from './support.js';

const input = { forkId: FORK_ID };
const RESOLVED_SOURCE: SourceSummary = {
  id: SOURCE_ID,
  arn: SOURCE_ARN,
  engine: 'postgres',
  kind: 'rds-instance',
};

describe('resolve-source', () => {
  it('records the allow-listed, available source and returns the state unchanged', async () => {
    const test = await stepTest();
    givenSource(test);

    const [first, second] = await runTwice(resolveSource, input, test);

    expect(first).toEqual(input);
    expect(second).toEqual(first);
    const fork = await test.rt.store.mustGet(FORK_ID);
    expect(fork).toMatchObject({ status: 'creating', step: 'resolving-source', source: RESOLVED_SOURCE });
    expect(fork.history.at(-1)?.message).toBe('source orders-prod is an available postgres rds-instance');
  });

  it('announces Fork Requested and counts the fork on its first run only', async () => {
    // As the API writes it: with the source it resolved.
    const test = await stepTest(forkRecord({ source: RESOLVED_SOURCE }));
    givenSource(test);

    await runTwice(resolveSource, input, test);

    const puts = inputsOf(test.mocks.events.commandCalls(PutEventsCommand));
    expect(puts.map((put) => put.Entries?.[0]?.DetailType)).toEqual(['Fork Requested']);
    expect(JSON.parse(puts[0]?.Entries?.[0]?.Detail ?? '{}')).toMatchObject({
      id: FORK_ID,
      status: 'creating',
    });
    expect(test.metrics).toEqual([
      {
        name: 'ForksRequested',
        unit: 'Count',
        value: 1,
        dimensions: { engine: 'rds-instance', restoreType: 'latest-backup' },
      },
    ]);
  });

  it('still resolves the source when Fork Requested cannot be published (the fork is not failed for a lost notification)', async () => {
    const test = await stepTest();
    givenSource(test);
    test.mocks.events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });

    await resolveSource.run(input, test.rt);

    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ source: RESOLVED_SOURCE });
  });

  it('resolves a source given by its ARN', async () => {
    const test = await stepTest(forkRecord({ sourceRef: SOURCE_ARN }));
    givenSource(test);

    await resolveSource.run(input, test.rt);

    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ source: RESOLVED_SOURCE });
  });

  it('allows a source tagged dbfork:allow-fork=true that is not in the allow list', async () => {
    const test = await stepTest(forkRecord(), { env: { policy: { allowedSources: [] } } });
    givenSource(test, { TagList: [{ Key: TAG.allowFork, Value: 'true' }] });

    await resolveSource.run(input, test.rt);

    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ source: RESOLVED_SOURCE });
  });

  it('refuses a source that is not allow-listed (SourceNotAllowedError) and records no source', async () => {
    const test = await stepTest(forkRecord(), { env: { policy: { allowedSources: ['billing-prod'] } } });
    givenSource(test);

    await expect(resolveSource.run(input, test.rt)).rejects.toBeInstanceOf(SourceNotAllowedError);
    expect((await test.rt.store.mustGet(FORK_ID)).source).toBeUndefined();
  });

  it('refuses tagged sources when allowTaggedSources is off', async () => {
    const test = await stepTest(forkRecord(), {
      env: { policy: { allowedSources: [], allowTaggedSources: false } },
    });
    givenSource(test, { TagList: [{ Key: TAG.allowFork, Value: 'true' }] });

    await expect(resolveSource.run(input, test.rt)).rejects.toBeInstanceOf(SourceNotAllowedError);
  });

  it('refuses to fork a fork', async () => {
    const test = await stepTest();
    givenSource(test, { TagList: [{ Key: TAG.managed, Value: 'true' }] });

    await expect(resolveSource.run(input, test.rt)).rejects.toThrow(/is itself a dbfork fork/);
  });

  it('refuses a source that is being deleted (SourceNotAvailableError)', async () => {
    const test = await stepTest();
    givenSource(test, { DBInstanceStatus: 'deleting' });

    await expect(resolveSource.run(input, test.rt)).rejects.toBeInstanceOf(SourceNotAvailableError);
  });

  it('fails with SourceNotFoundError when no engine knows the source', async () => {
    const test = await stepTest();
    test.mocks.rds.on(DescribeDBInstancesCommand).rejects(instanceNotFound(SOURCE_ID));
    givenNoClusters(test);

    await expect(resolveSource.run(input, test.rt)).rejects.toBeInstanceOf(SourceNotFoundError);
    // Asked as an instance, then as an Aurora cluster, then as a DocumentDB cluster (one RDS API).
    expect(inputsOf(test.mocks.rds.commandCalls(DescribeDBClustersCommand))).toEqual([
      { DBClusterIdentifier: SOURCE_ID },
      { DBClusterIdentifier: SOURCE_ID },
    ]);
  });

  it('refuses a restore type the engine cannot do (clone of an RDS instance)', async () => {
    const test = await stepTest(forkRecord({ restore: { requested: { type: 'clone' } } }));
    givenSource(test);

    const run = resolveSource.run(input, test.rt);

    await expect(run).rejects.toBeInstanceOf(UnsupportedRestoreError);
    await expect(run).rejects.toThrow(/latest-backup, snapshot, point-in-time, fresh-snapshot/);
  });

  it('rejects a state without a valid fork id', async () => {
    const test = await stepTest();

    await expect(resolveSource.run({ forkId: 'orders-prod' }, test.rt)).rejects.toThrow(/is not a fork id/);
  });
});

describe('select-backup', () => {
  async function selecting(requested: Parameters<typeof forkRecord>[0] = {}): Promise<StepTest> {
    const test = await stepTest(forkAt('resolving-source', { source: RESOLVED_SOURCE, ...requested }));
    givenSource(test);
    return test;
  }

  it('latest-backup picks the newest available snapshot, automated or manual', async () => {
    const test = await selecting();
    test.mocks.rds.on(DescribeDBSnapshotsCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({
      DBSnapshots: [
        snapshot({
          DBSnapshotIdentifier: 'rds:orders-prod-2026-11-19-03-00',
          SnapshotCreateTime: new Date('2026-11-19T03:00:00Z'),
        }),
        snapshot({
          DBSnapshotIdentifier: 'taking-now',
          Status: 'creating',
          SnapshotCreateTime: new Date('2026-11-20T11:00:00Z'),
        }),
        snapshot({
          DBSnapshotIdentifier: 'before-migration',
          SnapshotCreateTime: new Date('2026-11-20T09:00:00Z'),
        }),
        snapshot({
          DBSnapshotIdentifier: 'rds:orders-prod-2026-11-20-03-00',
          SnapshotCreateTime: new Date('2026-11-20T03:00:00Z'),
        }),
      ],
    });

    const [first, second] = await runTwice(selectBackup, input, test);

    expect(first).toEqual({ forkId: FORK_ID, ready: true });
    expect(second).toEqual(first);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      step: 'selecting-backup',
      restore: { requested: { type: 'latest-backup' }, resolved: { snapshotId: 'before-migration' } },
    });
  });

  it('latest-backup without an available snapshot fails with BackupNotFoundError', async () => {
    const test = await selecting();
    test.mocks.rds
      .on(DescribeDBSnapshotsCommand)
      .resolves({ DBSnapshots: [snapshot({ Status: 'creating' })] });

    await expect(selectBackup.run(input, test.rt)).rejects.toBeInstanceOf(BackupNotFoundError);
  });

  it('snapshot: an automated snapshot given by ARN is restored by its rds: identifier', async () => {
    const id = 'rds:orders-prod-2026-11-20-03-00';
    const test = await selecting({
      restore: {
        requested: { type: 'snapshot', snapshotId: `arn:aws:rds:us-east-1:123456789012:snapshot:${id}` },
      },
    });
    // AWS finds an automated snapshot by its identifier only with SnapshotType automated.
    test.mocks.rds
      .on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: id, SnapshotType: 'automated' }, true)
      .resolves({ DBSnapshots: [snapshot()] });

    const state = await selectBackup.run(input, test.rt);

    expect(state).toEqual({ forkId: FORK_ID, ready: true });
    expect(inputsOf(test.mocks.rds.commandCalls(DescribeDBSnapshotsCommand))).toEqual([
      { DBSnapshotIdentifier: id, SnapshotType: 'automated' },
    ]);
    expect((await test.rt.store.mustGet(FORK_ID)).restore.resolved).toEqual({ snapshotId: id });
  });

  it('snapshot: refuses a snapshot of another source', async () => {
    const test = await selecting({
      restore: { requested: { type: 'snapshot', snapshotId: 'billing-nightly' } },
    });
    test.mocks.rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        snapshot({ DBSnapshotIdentifier: 'billing-nightly', DBInstanceIdentifier: 'billing-prod' }),
      ],
    });

    await expect(selectBackup.run(input, test.rt)).rejects.toBeInstanceOf(BackupNotFoundError);
    expect((await test.rt.store.mustGet(FORK_ID)).restore.resolved).toBeUndefined();
  });

  it('snapshot: refuses a missing or unavailable snapshot', async () => {
    const missing = await selecting({ restore: { requested: { type: 'snapshot', snapshotId: 'nope' } } });
    missing.mocks.rds.on(DescribeDBSnapshotsCommand).rejects(snapshotNotFound('nope'));
    const creating = await selecting({ restore: { requested: { type: 'snapshot', snapshotId: 'soon' } } });
    creating.mocks.rds
      .on(DescribeDBSnapshotsCommand)
      .resolves({ DBSnapshots: [snapshot({ DBSnapshotIdentifier: 'soon', Status: 'creating' })] });

    await expect(selectBackup.run(input, missing.rt)).rejects.toBeInstanceOf(BackupNotFoundError);
    await expect(selectBackup.run(input, creating.rt)).rejects.toThrow(
      'snapshot "soon" is creating, not available',
    );
  });

  it('point-in-time inside the window resolves to that exact time', async () => {
    const test = await selecting({
      restore: { requested: { type: 'point-in-time', time: '2026-11-20T10:00:00+01:00' } },
    });

    const [first, second] = await runTwice(selectBackup, input, test);

    expect(first).toEqual({ forkId: FORK_ID, ready: true });
    expect(second).toEqual(first);
    expect((await test.rt.store.mustGet(FORK_ID)).restore.resolved).toEqual({
      restoreTime: '2026-11-20T09:00:00.000Z',
    });
  });

  it('point-in-time outside the window fails with RestoreWindowError carrying the window', async () => {
    const test = await selecting({
      restore: { requested: { type: 'point-in-time', time: '2026-11-20T11:59:00Z' } },
    });

    const run = selectBackup.run(input, test.rt);

    await expect(run).rejects.toBeInstanceOf(RestoreWindowError);
    await expect(run).rejects.toMatchObject({
      statusCode: 400,
      details: [
        {
          path: 'restore.time',
          earliestRestorableTime: '2026-11-13T04:00:00.000Z',
          latestRestorableTime: '2026-11-20T11:55:00.000Z',
        },
      ],
    });
  });

  it('point-in-time latest resolves to UseLatestRestorableTime', async () => {
    const test = await selecting({ restore: { requested: { type: 'point-in-time', latest: true } } });

    await selectBackup.run(input, test.rt);

    expect((await test.rt.store.mustGet(FORK_ID)).restore.resolved).toEqual({
      useLatestRestorableTime: true,
    });
  });

  it('fresh-snapshot snapshots the source with the fork tags and answers ready=false; a retry takes no second snapshot', async () => {
    const snapshotId = `${FORK_ID}-source`;
    const test = await selecting({ restore: { requested: { type: 'fresh-snapshot' } } });
    test.mocks.rds
      .on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: snapshotId })
      .rejectsOnce(snapshotNotFound(snapshotId))
      .resolves({
        DBSnapshots: [snapshot({ DBSnapshotIdentifier: snapshotId, Status: 'creating', TagList: FORK_TAGS })],
      });
    test.mocks.rds.on(CreateDBSnapshotCommand).resolves({});

    const [first, second] = await runTwice(selectBackup, input, test);

    expect(first).toEqual({ forkId: FORK_ID, ready: false, heartbeatSeconds: 60 });
    expect(second).toEqual(first);
    expect(inputsOf(test.mocks.rds.commandCalls(CreateDBSnapshotCommand))).toEqual([
      { DBInstanceIdentifier: SOURCE_ID, DBSnapshotIdentifier: snapshotId, Tags: FORK_TAGS },
    ]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      step: 'snapshotting-source',
      restore: { resolved: { snapshotId } },
    });
  });
});

describe('check-snapshot', () => {
  const snapshotId = `${FORK_ID}-source`;
  async function waiting(status: string): Promise<StepTest> {
    const test = await stepTest(
      forkAt('snapshotting-source', {
        restore: { requested: { type: 'fresh-snapshot' }, resolved: { snapshotId } },
      }),
    );
    test.mocks.rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: snapshotId }).resolves({
      DBSnapshots: [snapshot({ DBSnapshotIdentifier: snapshotId, Status: status, TagList: FORK_TAGS })],
    });
    return test;
  }

  it('is ready once the snapshot is available, dropping the loop bookkeeping', async () => {
    const test = await waiting('available');

    const [first, second] = await runTwice(checkSnapshot, { forkId: FORK_ID, ready: false }, test);

    expect(first).toEqual({ forkId: FORK_ID, ready: true, poll: undefined });
    expect(second).toEqual(first);
  });

  it('is not ready while creating, counting checks from the first one', async () => {
    const test = await waiting('creating');

    const first = await checkSnapshot.run(input, test.rt);
    test.clock.advance({ minutes: 1 });
    const second = await checkSnapshot.run(first, test.rt);

    // Each check backs the next wait's safety-net heartbeat off.
    expect(first).toEqual({
      forkId: FORK_ID,
      ready: false,
      poll: { startedAt: TEST_NOW, count: 1 },
      heartbeatSeconds: 240,
    });
    expect(second).toEqual({
      forkId: FORK_ID,
      ready: false,
      poll: { startedAt: TEST_NOW, count: 2 },
      heartbeatSeconds: 600,
    });
  });

  it('fails at once, naming the status, when the snapshot failed', async () => {
    const test = await waiting('failed');

    await expect(checkSnapshot.run(input, test.rt)).rejects.toThrow(`snapshot ${snapshotId} ended failed`);
  });

  it('gives up with WaitTimeoutError after 240 minutes', async () => {
    const test = await waiting('creating');
    const state = { forkId: FORK_ID, ready: false, poll: { startedAt: TEST_NOW, count: 7 } };

    test.clock.advance({ minutes: 240 });
    await expect(checkSnapshot.run(state, test.rt)).resolves.toMatchObject({
      ready: false,
      poll: { count: 8 },
    });
    test.clock.advance({ minutes: 1 });
    await expect(checkSnapshot.run(state, test.rt)).rejects.toBeInstanceOf(WaitTimeoutError);
  });

  it('fails when the snapshot failed', async () => {
    const test = await waiting('failed');

    await expect(checkSnapshot.run(input, test.rt)).rejects.toBeInstanceOf(BackupNotFoundError);
  });
});

describe('restore', () => {
  it('restores from the resolved snapshot with overrides > policy defaults > source, and the policy network', async () => {
    const test = await stepTest(
      forkAt('selecting-backup', { overrides: { instanceClass: 'db.t4g.medium' } }),
      {
        env: {
          policy: {
            allowedSources: [SOURCE_ID],
            defaultOverrides: { instanceClass: 'db.t4g.large', storageType: 'gp2', multiAz: true },
            forkNetwork: { securityGroupIds: ['sg-0f0f0f0f'], subnetGroupName: 'forks-private' },
          },
        },
      },
    );
    givenSource(test);
    givenNoForkDatabase(test);
    test.mocks.rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});

    const state = await restore.run(input, test.rt);

    expect(state).toEqual({ forkId: FORK_ID, ready: false, poll: undefined, heartbeatSeconds: 60 });
    expect(inputsOf(test.mocks.rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand))).toEqual([
      {
        DBInstanceIdentifier: FORK_ID,
        DBSnapshotIdentifier: 'rds:orders-prod-2026-11-20-03-00',
        DBInstanceClass: 'db.t4g.medium',
        MultiAZ: true,
        PubliclyAccessible: false,
        DeletionProtection: false,
        AutoMinorVersionUpgrade: false,
        CopyTagsToSnapshot: false,
        BackupRetentionPeriod: 1,
        VpcSecurityGroupIds: ['sg-0f0f0f0f'],
        DBSubnetGroupName: 'forks-private',
        DBParameterGroupName: 'orders-pg16',
        // No OptionGroupName: the source's `default:postgres-16` is what AWS applies by default.
        StorageType: 'gp2',
        Port: 5432,
        Tags: FORK_TAGS,
      },
    ]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ step: 'restoring', progress: 25 });
  });

  it('restores to the resolved point in time with the source network and class', async () => {
    const test = await stepTest(
      forkAt('selecting-backup', {
        restore: {
          requested: { type: 'point-in-time', time: '2026-11-20T09:00:00Z' },
          resolved: { restoreTime: '2026-11-20T09:00:00.000Z' },
        },
      }),
    );
    givenSource(test);
    givenNoForkDatabase(test);
    test.mocks.rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});

    await restore.run(input, test.rt);

    expect(inputsOf(test.mocks.rds.commandCalls(RestoreDBInstanceToPointInTimeCommand))).toEqual([
      expect.objectContaining({
        SourceDBInstanceIdentifier: SOURCE_ID,
        TargetDBInstanceIdentifier: FORK_ID,
        RestoreTime: new Date('2026-11-20T09:00:00.000Z'),
        DBInstanceClass: 'db.r6g.large',
        MultiAZ: false,
        VpcSecurityGroupIds: ['sg-0a1b2c3d', 'sg-0e5e5e5e'],
        DBSubnetGroupName: 'orders-private',
      }),
    ]);
  });

  it('is idempotent: a retry finding our instance restores nothing more', async () => {
    const test = await stepTest(forkAt('selecting-backup'));
    givenSource(test);
    test.mocks.rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
      .rejectsOnce(instanceNotFound())
      .resolves({
        DBInstances: [{ DBInstanceIdentifier: FORK_ID, DBInstanceStatus: 'creating', TagList: FORK_TAGS }],
      });
    test.mocks.rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});

    const [first, second] = await runTwice(restore, input, test);

    expect(second).toEqual(first);
    expect(test.mocks.rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(1);
  });

  it('refuses to adopt an instance of the same name without our tags', async () => {
    const test = await stepTest(forkAt('selecting-backup'));
    givenSource(test);
    givenForkDatabase(test, { TagList: [] });

    await expect(restore.run(input, test.rt)).rejects.toBeInstanceOf(NotManagedResourceError);
    expect(test.mocks.rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toEqual([]);
  });
});

describe('create-instances', () => {
  it('has nothing to create for an RDS instance: ready at once, no RDS writes', async () => {
    const test = await stepTest(forkAt('restoring'));
    givenSource(test);

    const [first, second] = await runTwice(createInstances, { forkId: FORK_ID, ready: true }, test);

    expect(first).toEqual({ forkId: FORK_ID, ready: true, poll: undefined });
    expect(second).toEqual(first);
    const sent = test.mocks.rds.calls().map((call) => call.args[0].constructor.name);
    expect(sent.filter((name) => !name.startsWith('Describe'))).toEqual([]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ step: 'creating-instances' });
  });
});

describe('check-database', () => {
  it('is ready when the fork database is available', async () => {
    const test = await stepTest(forkAt('restoring'));
    givenForkDatabase(test);

    const [first, second] = await runTwice(checkDatabase, input, test);

    expect(first).toEqual({ forkId: FORK_ID, ready: true, poll: undefined });
    expect(second).toEqual(first);
  });

  it('is not ready while the database is creating or not visible yet', async () => {
    const creating = await stepTest(forkAt('restoring'));
    givenForkDatabase(creating, { DBInstanceStatus: 'creating' });
    const missing = await stepTest(forkAt('restoring'));
    givenNoForkDatabase(missing);

    await expect(checkDatabase.run(input, creating.rt)).resolves.toEqual({
      forkId: FORK_ID,
      ready: false,
      poll: { startedAt: TEST_NOW, count: 1 },
      heartbeatSeconds: 240,
    });
    await expect(checkDatabase.run(input, missing.rt)).resolves.toMatchObject({ ready: false });
  });

  it.each([
    'failed',
    'restore-error',
    'incompatible-option-group',
    'incompatible-parameters',
    'incompatible-network',
    'incompatible-restore',
    'insufficient-capacity',
    'inaccessible-encryption-credentials',
    'inaccessible-encryption-credentials-recoverable',
    'storage-full',
  ])('fails at once with RestoreFailedError naming the status when the restore ends %s', async (status) => {
    const test = await stepTest(forkAt('restoring'));
    givenForkDatabase(test, { DBInstanceStatus: status });

    const failure = checkDatabase.run(input, test.rt);

    await expect(failure).rejects.toBeInstanceOf(RestoreFailedError);
    await expect(failure).rejects.toThrow(`the fork database ${FORK_ID} is ${status}`);
  });

  it('gives up with WaitTimeoutError after 180 minutes, by the injected clock', async () => {
    const test = await stepTest(forkAt('restoring'));
    givenForkDatabase(test, { DBInstanceStatus: 'creating' });
    const started = await checkDatabase.run(input, test.rt);

    test.clock.advance({ minutes: 181 });

    await expect(checkDatabase.run(started, test.rt)).rejects.toBeInstanceOf(WaitTimeoutError);
  });
});

describe('create-instances and check-database of an Aurora cluster fork', () => {
  const AURORA: SourceSummary = {
    id: AURORA_ID,
    arn: clusterArn(AURORA_ID),
    engine: 'aurora-postgresql',
    kind: 'aurora-cluster',
  };

  /** The source cluster and its writer, and the fork cluster (with `writer`, if given) as RDS shows them. */
  function givenClusterFork(test: StepTest, fork: DBCluster, writer?: DBInstance) {
    test.mocks.rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: AURORA_ID }).resolves({
      DBClusters: [auroraCluster()],
    });
    test.mocks.rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: `${AURORA_ID}-1` }).resolves({
      DBInstances: [auroraWriter()],
    });
    test.mocks.rds
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: FORK_ID })
      .resolves({ DBClusters: [fork] });
    test.mocks.rds
      .on(DescribeDBInstancesCommand, { Filters: [{ Name: 'db-cluster-id', Values: [FORK_ID] }] })
      .resolves({ DBInstances: writer ? [writer] : [] });
    if (writer) {
      test.mocks.rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_WRITER_ID }).resolves({
        DBInstances: [writer],
      });
    } else {
      test.mocks.rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_WRITER_ID })
        .rejects(instanceNotFound(FORK_WRITER_ID));
    }
  }

  const asWriter = { DBClusterMembers: [{ DBInstanceIdentifier: FORK_WRITER_ID, IsClusterWriter: true }] };

  it('waits after the restore for the cluster alone: a restored cluster has no instances yet', async () => {
    const test = await stepTest(forkAt('restoring', { source: AURORA }));
    givenClusterFork(test, forkCluster());

    await expect(checkDatabase.run(input, test.rt)).resolves.toMatchObject({ ready: true });
  });

  it('adds the writer, then waits until the cluster and its writer are both available', async () => {
    const test = await stepTest(forkAt('restoring', { source: AURORA }));
    givenClusterFork(test, forkCluster());
    test.mocks.rds.on(CreateDBInstanceCommand).resolves({});

    await expect(createInstances.run(input, test.rt)).resolves.toEqual({
      ...input,
      ready: false,
      poll: undefined,
      heartbeatSeconds: 60,
    });
    expect(inputsOf(test.mocks.rds.commandCalls(CreateDBInstanceCommand))).toEqual([
      expect.objectContaining({
        DBInstanceIdentifier: FORK_WRITER_ID,
        DBClusterIdentifier: FORK_ID,
        DBInstanceClass: 'db.r6g.xlarge',
      }),
    ]);
    expect((await test.rt.store.mustGet(FORK_ID)).step).toBe('creating-instances');

    // The writer is being created: not ready. Once it is available: ready.
    givenClusterFork(test, forkCluster(asWriter), forkWriter({ DBInstanceStatus: 'creating' }));
    await expect(checkDatabase.run(input, test.rt)).resolves.toMatchObject({ ready: false });
    givenClusterFork(test, forkCluster(asWriter), forkWriter());
    await expect(checkDatabase.run(input, test.rt)).resolves.toMatchObject({ ready: true });
  });

  it.each(['cloning-failed', 'migration-failed', 'inaccessible-encryption-credentials-recoverable'])(
    'fails at once when the restored cluster is %s',
    async (status) => {
      const test = await stepTest(forkAt('restoring', { source: AURORA }));
      givenClusterFork(test, forkCluster({ Status: status }));

      await expect(checkDatabase.run(input, test.rt)).rejects.toThrow(
        `the fork database ${FORK_ID} is ${status}`,
      );
    },
  );

  it('creates the writer from the instances check when create-instances could not (cluster was modifying)', async () => {
    const test = await stepTest(forkAt('restoring', { source: AURORA }));
    givenClusterFork(test, forkCluster({ Status: 'modifying' }));
    test.mocks.rds.on(CreateDBInstanceCommand).resolves({});

    await expect(createInstances.run(input, test.rt)).resolves.toMatchObject({ ready: false });
    expect(test.mocks.rds.commandCalls(CreateDBInstanceCommand)).toEqual([]);

    // Still modifying: the check waits and creates nothing.
    await expect(checkDatabase.run(input, test.rt)).resolves.toMatchObject({ ready: false });
    expect(test.mocks.rds.commandCalls(CreateDBInstanceCommand)).toEqual([]);

    // Available again, writer missing: the check adds it.
    givenClusterFork(test, forkCluster());
    await expect(checkDatabase.run(input, test.rt)).resolves.toMatchObject({ ready: false });
    expect(inputsOf(test.mocks.rds.commandCalls(CreateDBInstanceCommand))).toEqual([
      expect.objectContaining({ DBInstanceIdentifier: FORK_WRITER_ID, DBClusterIdentifier: FORK_ID }),
    ]);

    // The writer exists: the check only waits for it, creating nothing more.
    givenClusterFork(test, forkCluster(asWriter), forkWriter({ DBInstanceStatus: 'creating' }));
    await expect(checkDatabase.run(input, test.rt)).resolves.toMatchObject({ ready: false });
    givenClusterFork(test, forkCluster(asWriter), forkWriter());
    await expect(checkDatabase.run(input, test.rt)).resolves.toMatchObject({ ready: true });
    expect(test.mocks.rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(1);
  });

  it('fails with RestoreFailedError when the writer ends in a failed state', async () => {
    const test = await stepTest(forkAt('creating-instances', { source: AURORA }));
    givenClusterFork(
      test,
      forkCluster(asWriter),
      forkWriter({ DBInstanceStatus: 'incompatible-parameters' }),
    );

    await expect(checkDatabase.run(input, test.rt)).rejects.toThrow(
      `instance ${FORK_WRITER_ID} of the fork database is incompatible-parameters`,
    );
  });
});
