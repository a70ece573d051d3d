/**
 * The teardown chain (DeleteFork, and the cleanup of a failed create): mark-deleting, remove-dns,
 * delete-database, check-gone, delete-secret, delete-schedule, mark-deleted, mark-failed.
 * The store runs on moto; every other service is mocked.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBInstanceStateFault,
} from '@aws-sdk/client-rds';
import {
  ChangeResourceRecordSetsCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import {
  DeleteScheduleCommand,
  ResourceNotFoundException as ScheduleNotFound,
} from '@aws-sdk/client-scheduler';
import {
  DeleteSecretCommand,
  DescribeSecretCommand,
  ResourceNotFoundException as SecretNotFound,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { NotManagedResourceError, WaitTimeoutError } from '../../../lambdas/core/errors.js';
import type { ForkStep } from '../../../lambdas/core/fork.js';
import { step as checkGone } from '../../../lambdas/steps/check-gone.js';
import { step as deleteDatabase } from '../../../lambdas/steps/delete-database.js';
import { step as deleteSchedule } from '../../../lambdas/steps/delete-schedule.js';
import { step as deleteSecret } from '../../../lambdas/steps/delete-secret.js';
import { step as markDeleted } from '../../../lambdas/steps/mark-deleted.js';
import { step as markDeleting } from '../../../lambdas/steps/mark-deleting.js';
import { step as markFailed } from '../../../lambdas/steps/mark-failed.js';
import { step as removeDns } from '../../../lambdas/steps/remove-dns.js';
import {
  TEST_EVENT_BUS,
  TEST_HOSTED_ZONE_ID,
  TEST_NOW,
  TEST_SCHEDULER_GROUP,
} from '../../support/runtime.js';
import {
  FORK_DNS_NAME,
  FORK_HOST,
  FORK_ID,
  FORK_TAGS,
  forkInstance,
  instanceNotFound,
  snapshot,
  snapshotNotFound,
} from '../core/fixtures.js';
import {
  forkAt,
  givenForkDatabase,
  givenNoClusters,
  givenNoForkDatabase,
  inputsOf,
  runTwice,
  stepTest,
} from './support.js';

const del = { forkId: FORK_ID, mode: 'delete' as const, alreadyDeleted: false };
const cleanup = {
  forkId: FORK_ID,
  mode: 'cleanup' as const,
  alreadyDeleted: false,
  error: {
    Error: 'RestoreFailedError',
    Cause: JSON.stringify({
      errorType: 'RestoreFailedError',
      errorMessage: `the fork database ${FORK_ID} is storage-full`,
    }),
  },
};
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:dbfork/${FORK_ID}-AbCdEf`;
const ENDPOINT = { host: FORK_HOST, port: 5432 };

describe('mark-deleting', () => {
  it('starts a delete: the fork moves to deleting (removing-dns)', async () => {
    const test = await stepTest(forkAt('ready'));

    const [first, second] = await runTwice(markDeleting, { forkId: FORK_ID, mode: 'delete' }, test);

    expect(first).toEqual({ forkId: FORK_ID, mode: 'delete', alreadyDeleted: false });
    expect(second).toEqual(first);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      status: 'deleting',
      step: 'removing-dns',
    });
  });

  it('treats a state without a mode as a delete (the Scheduler and the API send only {forkId})', async () => {
    const test = await stepTest(forkAt('ready'));

    await expect(markDeleting.run({ forkId: FORK_ID }, test.rt)).resolves.toEqual(del);
  });

  it('deletes a failed fork too', async () => {
    const test = await stepTest(forkAt('failed'));

    await markDeleting.run({ forkId: FORK_ID }, test.rt);

    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ status: 'deleting' });
  });

  it('answers alreadyDeleted for a deleted fork and changes nothing', async () => {
    const test = await stepTest(forkAt('deleted'));

    await expect(markDeleting.run({ forkId: FORK_ID }, test.rt)).resolves.toEqual({
      ...del,
      alreadyDeleted: true,
    });
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      status: 'deleted',
      step: 'deleted',
    });
  });

  it('starts a cleanup: the fork stays creating at cleaning-up with the Lambda error message kept', async () => {
    const test = await stepTest(forkAt('restoring'));

    const [first, second] = await runTwice(markDeleting, { ...cleanup, alreadyDeleted: undefined }, test);

    expect(first).toEqual(cleanup);
    expect(second).toEqual(first);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      status: 'creating',
      step: 'cleaning-up',
      error: { code: 'RestoreFailedError', message: `the fork database ${FORK_ID} is storage-full` },
    });
  });

  it('lets the cleanup go on when a delete already owns the record, without moving it back', async () => {
    const test = await stepTest(forkAt('deleting-database'));

    await expect(markDeleting.run({ ...cleanup, alreadyDeleted: undefined }, test.rt)).resolves.toEqual(
      cleanup,
    );
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      status: 'deleting',
      step: 'deleting-database',
    });
  });
});

describe('remove-dns', () => {
  const record: ResourceRecordSet = {
    Name: `${FORK_DNS_NAME}.`,
    Type: 'CNAME',
    TTL: 60,
    ResourceRecords: [{ Value: FORK_HOST }],
  };
  const LIST = {
    HostedZoneId: TEST_HOSTED_ZONE_ID,
    StartRecordName: `${FORK_DNS_NAME}.`,
    StartRecordType: 'CNAME',
    MaxItems: 1,
  };

  it('deletes the CNAME with exactly the record Route 53 holds, while it points at this fork', async () => {
    const test = await stepTest(forkAt('removing-dns', { endpoint: ENDPOINT }));
    test.mocks.route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ ResourceRecordSets: [record], IsTruncated: false, MaxItems: 1 })
      .resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    test.mocks.route53.on(ChangeResourceRecordSetsCommand).resolves({});

    const [first, second] = await runTwice(removeDns, del, test);

    expect(first).toEqual(del);
    expect(second).toEqual(first);
    expect(inputsOf(test.mocks.route53.commandCalls(ListResourceRecordSetsCommand))).toEqual([LIST, LIST]);
    expect(inputsOf(test.mocks.route53.commandCalls(ChangeResourceRecordSetsCommand))).toEqual([
      {
        HostedZoneId: TEST_HOSTED_ZONE_ID,
        ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: record }] },
      },
    ]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      status: 'deleting',
      step: 'removing-dns',
    });
  });

  it('leaves the name alone when it now points at another database (a newer fork took the name)', async () => {
    const test = await stepTest(forkAt('removing-dns', { endpoint: ENDPOINT }));
    test.mocks.route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { ...record, ResourceRecords: [{ Value: 'fork-zzzzzzzzzzzz.cxyz.us-east-1.rds.amazonaws.com' }] },
      ],
      IsTruncated: false,
      MaxItems: 1,
    });

    await removeDns.run(del, test.rt);

    expect(test.mocks.route53.commandCalls(ChangeResourceRecordSetsCommand)).toEqual([]);
  });

  it('does nothing when the zone has no such name (the listing starts at the next one)', async () => {
    const test = await stepTest(forkAt('removing-dns', { endpoint: ENDPOINT }));
    test.mocks.route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [{ ...record, Name: `zz-other.${FORK_DNS_NAME.split('.').slice(1).join('.')}.` }],
      IsTruncated: false,
      MaxItems: 1,
    });

    await removeDns.run(del, test.rt);

    expect(test.mocks.route53.commandCalls(ChangeResourceRecordSetsCommand)).toEqual([]);
  });

  it('makes no Route 53 call for a fork that never got an endpoint', async () => {
    const test = await stepTest(forkAt('cleaning-up'));

    await removeDns.run(cleanup, test.rt);

    expect(test.mocks.route53.calls()).toEqual([]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      status: 'creating',
      step: 'cleaning-up',
    });
  });

  it('treats a record deleted meanwhile (InvalidChangeBatch, now gone) as success', async () => {
    const test = await stepTest(forkAt('removing-dns', { endpoint: ENDPOINT }));
    test.mocks.route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ ResourceRecordSets: [record], IsTruncated: false, MaxItems: 1 })
      .resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    test.mocks.route53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(new InvalidChangeBatch({ message: 'record not found', $metadata: {} }));

    await expect(removeDns.run(del, test.rt)).resolves.toEqual(del);
  });
});

describe('delete-database', () => {
  it('deletes our database (no final snapshot) and waits for it to go', async () => {
    const test = await stepTest(forkAt('removing-dns'));
    test.mocks.rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
      .resolvesOnce({ DBInstances: [forkInstance()] })
      .resolves({ DBInstances: [forkInstance({ DBInstanceStatus: 'deleting' })] });
    test.mocks.rds.on(DeleteDBInstanceCommand).resolves({});

    const [first, second] = await runTwice(deleteDatabase, del, test);

    expect(first).toEqual({ ...del, ready: false, poll: undefined, heartbeatSeconds: 60 });
    expect(second).toEqual(first);
    expect(inputsOf(test.mocks.rds.commandCalls(DeleteDBInstanceCommand))).toEqual([
      { DBInstanceIdentifier: FORK_ID, SkipFinalSnapshot: true, DeleteAutomatedBackups: true },
    ]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      status: 'deleting',
      step: 'deleting-database',
    });
  });

  it('is ready at once when there is no database', async () => {
    const test = await stepTest(forkAt('cleaning-up'));
    givenNoForkDatabase(test);

    await expect(deleteDatabase.run(cleanup, test.rt)).resolves.toEqual({
      ...cleanup,
      ready: true,
      poll: undefined,
    });
    expect(test.mocks.rds.commandCalls(DeleteDBInstanceCommand)).toEqual([]);
  });

  it('refuses a database without our tags (NotManagedResourceError) and sends no DeleteDBInstance', async () => {
    const test = await stepTest(forkAt('removing-dns'));
    givenForkDatabase(test, { TagList: [{ Key: 'team', Value: 'orders' }] });

    await expect(deleteDatabase.run(del, test.rt)).rejects.toBeInstanceOf(NotManagedResourceError);
    expect(test.mocks.rds.commandCalls(DeleteDBInstanceCommand)).toEqual([]);
  });

  it('also deletes the snapshot it took of the source for a fresh-snapshot fork', async () => {
    const snapshotId = `${FORK_ID}-source`;
    const test = await stepTest(
      forkAt('cleaning-up', { restore: { requested: { type: 'fresh-snapshot' }, resolved: { snapshotId } } }),
    );
    givenNoForkDatabase(test);
    test.mocks.rds
      .on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: snapshotId })
      .resolves({ DBSnapshots: [snapshot({ DBSnapshotIdentifier: snapshotId, TagList: FORK_TAGS })] });
    test.mocks.rds.on(DeleteDBSnapshotCommand).resolves({});

    await deleteDatabase.run(cleanup, test.rt);

    expect(inputsOf(test.mocks.rds.commandCalls(DeleteDBSnapshotCommand))).toEqual([
      { DBSnapshotIdentifier: snapshotId },
    ]);
  });

  it('leaves a missing fresh snapshot alone', async () => {
    const snapshotId = `${FORK_ID}-source`;
    const test = await stepTest(
      forkAt('cleaning-up', { restore: { requested: { type: 'fresh-snapshot' } } }),
    );
    givenNoForkDatabase(test);
    test.mocks.rds.on(DescribeDBSnapshotsCommand).rejects(snapshotNotFound(snapshotId));

    await expect(deleteDatabase.run(cleanup, test.rt)).resolves.toMatchObject({ ready: true });
    expect(test.mocks.rds.commandCalls(DeleteDBSnapshotCommand)).toEqual([]);
  });

  it('looks in every engine when the source was never resolved', async () => {
    const test = await stepTest(forkAt('resolving-source', { step: 'cleaning-up', order: 110 }));
    givenForkDatabase(test);
    givenNoClusters(test);
    test.mocks.rds.on(DeleteDBInstanceCommand).resolves({});

    await deleteDatabase.run(cleanup, test.rt);

    expect(inputsOf(test.mocks.rds.commandCalls(DeleteDBInstanceCommand))).toEqual([
      { DBInstanceIdentifier: FORK_ID, SkipFinalSnapshot: true, DeleteAutomatedBackups: true },
    ]);
  });
});

describe('check-gone', () => {
  it('is ready once the database no longer exists', async () => {
    const test = await stepTest(forkAt('deleting-database'));
    givenNoForkDatabase(test);

    const [first, second] = await runTwice(checkGone, { ...del, ready: false }, test);

    expect(first).toEqual({ ...del, ready: true, poll: undefined });
    expect(second).toEqual(first);
  });

  it('keeps waiting while the database is deleting, without deleting it again', async () => {
    const test = await stepTest(forkAt('deleting-database'));
    givenForkDatabase(test, { DBInstanceStatus: 'deleting' });

    await expect(checkGone.run(del, test.rt)).resolves.toEqual({
      ...del,
      ready: false,
      poll: { startedAt: TEST_NOW, count: 1 },
      heartbeatSeconds: 240,
    });
    expect(test.mocks.rds.commandCalls(DeleteDBInstanceCommand)).toEqual([]);
  });

  it('asks again when the deletion stalled (the database is back to available)', async () => {
    const test = await stepTest(forkAt('deleting-database'));
    givenForkDatabase(test, { DBInstanceStatus: 'available' });
    test.mocks.rds.on(DeleteDBInstanceCommand).resolves({});

    await checkGone.run(del, test.rt);

    expect(test.mocks.rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
  });

  it('survives a database still busy (InvalidDBInstanceState) and re-issues the delete until it is accepted', async () => {
    const test = await stepTest(forkAt('deleting-database'));
    givenForkDatabase(test, { DBInstanceStatus: 'resetting-master-credentials' });
    test.mocks.rds
      .on(DeleteDBInstanceCommand)
      .rejects(new InvalidDBInstanceStateFault({ message: 'not in available state', $metadata: {} }));

    const first = await deleteDatabase.run(del, test.rt);
    const second = await checkGone.run(first, test.rt);

    expect(first).toMatchObject({ ready: false });
    expect(second).toMatchObject({ ready: false, poll: { count: 1 } });
    givenForkDatabase(test, { DBInstanceStatus: 'available' });
    test.mocks.rds.on(DeleteDBInstanceCommand).resolves({});
    await expect(checkGone.run(second, test.rt)).resolves.toMatchObject({ ready: false });
    expect(test.mocks.rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(3);
    givenNoForkDatabase(test);
    await expect(checkGone.run(second, test.rt)).resolves.toMatchObject({ ready: true });
  });

  it('gives up with WaitTimeoutError after 90 minutes', async () => {
    const test = await stepTest(forkAt('deleting-database'));
    givenForkDatabase(test, { DBInstanceStatus: 'deleting' });
    const started = await checkGone.run(del, test.rt);

    test.clock.advance({ minutes: 91 });

    await expect(checkGone.run(started, test.rt)).rejects.toBeInstanceOf(WaitTimeoutError);
  });
});

describe('delete-secret', () => {
  it('deletes our secret at once (ForceDeleteWithoutRecovery)', async () => {
    const test = await stepTest(forkAt('deleting-database'));
    test.mocks.secrets
      .on(DescribeSecretCommand)
      .resolvesOnce({ ARN: SECRET_ARN, Tags: FORK_TAGS })
      .rejects(new SecretNotFound({ message: 'gone', $metadata: {} }));
    test.mocks.secrets.on(DeleteSecretCommand).resolves({});

    const [first, second] = await runTwice(deleteSecret, del, test);

    expect(first).toEqual(del);
    expect(second).toEqual(first);
    expect(inputsOf(test.mocks.secrets.commandCalls(DescribeSecretCommand))[0]).toEqual({
      SecretId: `dbfork/${FORK_ID}`,
    });
    expect(inputsOf(test.mocks.secrets.commandCalls(DeleteSecretCommand))).toEqual([
      { SecretId: SECRET_ARN, ForceDeleteWithoutRecovery: true },
    ]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ step: 'deleting-secret' });
  });

  it('refuses a secret without our tags (NotManagedResourceError) and sends no DeleteSecret', async () => {
    const test = await stepTest(forkAt('deleting-database'));
    test.mocks.secrets
      .on(DescribeSecretCommand)
      .resolves({ ARN: SECRET_ARN, Tags: [{ Key: 'team', Value: 'orders' }] });

    await expect(deleteSecret.run(del, test.rt)).rejects.toBeInstanceOf(NotManagedResourceError);
    expect(test.mocks.secrets.commandCalls(DeleteSecretCommand)).toEqual([]);
  });

  it('succeeds when there is no secret (the create failed before rotating credentials)', async () => {
    const test = await stepTest(forkAt('cleaning-up'));
    test.mocks.secrets
      .on(DescribeSecretCommand)
      .rejects(new SecretNotFound({ message: 'none', $metadata: {} }));

    await expect(deleteSecret.run(cleanup, test.rt)).resolves.toEqual(cleanup);
    expect(test.mocks.secrets.commandCalls(DeleteSecretCommand)).toEqual([]);
  });
});

describe('delete-schedule', () => {
  it('deletes the expiry, warning and refresh schedules; missing ones (they fired and deleted themselves) are fine', async () => {
    const test = await stepTest(forkAt('deleting-secret'));
    test.mocks.scheduler
      .on(DeleteScheduleCommand)
      .resolvesOnce({})
      .rejects(new ScheduleNotFound({ message: 'none', Message: 'none', $metadata: {} }));

    const [first, second] = await runTwice(deleteSchedule, del, test);

    expect(first).toEqual(del);
    expect(second).toEqual(first);
    const expiry = { Name: `dbfork-${FORK_ID}`, GroupName: TEST_SCHEDULER_GROUP };
    const warning = { Name: `dbfork-warn-${FORK_ID}`, GroupName: TEST_SCHEDULER_GROUP };
    const refresh = { Name: `dbfork-${FORK_ID}-refresh`, GroupName: TEST_SCHEDULER_GROUP };
    expect(inputsOf(test.mocks.scheduler.commandCalls(DeleteScheduleCommand))).toEqual([
      expiry,
      warning,
      refresh,
      expiry,
      warning,
      refresh,
    ]);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ step: 'deleting-schedule' });
  });
});

describe('mark-deleted', () => {
  it('records the deletion, frees the name and announces Fork Deleted once', async () => {
    const test = await stepTest(forkAt('deleting-schedule'));

    const [first, second] = await runTwice(markDeleted, del, test);

    expect(first).toEqual(del);
    expect(second).toEqual(first);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      status: 'deleted',
      deletedAt: TEST_NOW,
    });
    await expect(test.rt.store.findLiveByName(test.fork.name)).resolves.toBeUndefined();
    const puts = inputsOf(test.mocks.events.commandCalls(PutEventsCommand));
    expect(puts.map((put) => put.Entries?.[0]?.DetailType)).toEqual(['Fork Deleted']);
    expect(puts[0]?.Entries?.[0]).toMatchObject({ Source: 'dbfork', EventBusName: TEST_EVENT_BUS });
    expect(JSON.parse(puts[0]?.Entries?.[0]?.Detail ?? '{}')).toMatchObject({
      id: FORK_ID,
      status: 'deleted',
    });
  });
});

describe('mark-failed', () => {
  it('ends a cleaned-up create as failed with its error kept and announces Fork Failed once', async () => {
    const test = await stepTest(
      forkAt('cleaning-up', {
        error: { code: 'RestoreFailedError', message: `the fork database ${FORK_ID} is storage-full` },
      }),
    );

    const [first, second] = await runTwice(markFailed, cleanup, test);

    expect(first).toEqual(cleanup);
    expect(second).toEqual(first);
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      status: 'failed',
      step: 'failed',
      error: { code: 'RestoreFailedError', message: `the fork database ${FORK_ID} is storage-full` },
    });
    await expect(test.rt.store.findLiveByName(test.fork.name)).resolves.toBeUndefined();
    const puts = inputsOf(test.mocks.events.commandCalls(PutEventsCommand));
    expect(puts.map((put) => put.Entries?.[0]?.DetailType)).toEqual(['Fork Failed']);
    expect(JSON.parse(puts[0]?.Entries?.[0]?.Detail ?? '{}')).toMatchObject({
      status: 'failed',
      error: { code: 'RestoreFailedError' },
    });
  });

  it('falls back to the error in the state when none was recorded', async () => {
    const test = await stepTest(forkAt('cleaning-up'));

    await markFailed.run(
      { ...cleanup, error: { Error: 'States.Timeout', Cause: 'task timed out' } },
      test.rt,
    );

    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      error: { code: 'States.Timeout', message: 'task timed out' },
    });
  });

  it.each<ForkStep>(['removing-dns', 'deleted'])(
    'leaves a fork that a delete took over (%s) alone',
    async (step) => {
      const test = await stepTest(forkAt(step));

      await expect(markFailed.run(cleanup, test.rt)).resolves.toEqual(cleanup);
      await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({ step });
      expect(test.mocks.events.commandCalls(PutEventsCommand)).toEqual([]);
    },
  );
});

describe('teardown in cleanup mode', () => {
  it('never moves the record: it stays creating at cleaning-up until mark-failed', async () => {
    const test = await stepTest(forkAt('cleaning-up', { endpoint: ENDPOINT }));
    test.mocks.route53
      .on(ListResourceRecordSetsCommand)
      .resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    test.mocks.rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
      .rejects(instanceNotFound());
    test.mocks.secrets
      .on(DescribeSecretCommand)
      .rejects(new SecretNotFound({ message: 'none', $metadata: {} }));
    test.mocks.scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ScheduleNotFound({ message: 'none', Message: 'none', $metadata: {} }));

    let state: object = cleanup;
    for (const step of [removeDns, deleteDatabase, checkGone, deleteSecret, deleteSchedule])
      state = await step.run(state, test.rt);

    expect(state).toEqual({ ...cleanup, ready: true, poll: undefined });
    await expect(test.rt.store.mustGet(FORK_ID)).resolves.toMatchObject({
      status: 'creating',
      step: 'cleaning-up',
    });
  });
});
