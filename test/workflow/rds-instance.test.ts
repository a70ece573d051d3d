import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { atExpression } from '../../lambdas/core/expiry-schedule.js';
import { scheduleName, secretName } from '../../lambdas/core/ids.js';
import { fireDueSchedules } from '../../local/scheduler-emulation.js';
import { resetMoto, startMotoRecording, stopMotoRecording } from '../support/moto.js';
import {
  DOMAIN,
  describeInstance,
  type Harness,
  NOTHING_LEFT,
  OWNER,
  SCHEDULE_GROUP,
  schedule,
  secretValue,
  tagsOf,
  workflowHarness,
} from '../support/workflow-harness.js';

function schedulerOf(h: Harness, now: Date) {
  return {
    scheduler: h.clients.scheduler,
    groupName: SCHEDULE_GROUP,
    deleteStateMachineArn: h.rt.env.deleteStateMachineArn ?? '',
    workflows: h.workflows,
    now,
  };
}

describe('CreateFork and DeleteFork workflows for an RDS instance (moto)', () => {
  beforeEach(async () => {
    await resetMoto();
  });

  it('forks from the latest backup with the source network, fresh credentials, DNS and expiry, then deletes it all', async () => {
    const h = await workflowHarness();
    await startMotoRecording();
    const { fork, execution } = await h.create({
      source: 'orders-prod',
      name: 'pr-1234',
      ttlHours: 24,
      tags: { pr: '1234' },
    });
    const calls = await stopMotoRecording();

    expect(execution.status).toBe('SUCCEEDED');
    expect(fork).toMatchObject({
      status: 'ready',
      step: 'ready',
      progress: 100,
      dnsName: `pr-1234.${DOMAIN}`,
    });
    expect(fork.restore.resolved?.snapshotId).toMatch(/^(rds:orders-prod-|orders-prod-manual-1)/);
    expect(fork.history.map((e) => e.step)).toEqual(
      expect.arrayContaining([
        'resolving-source',
        'selecting-backup',
        'restoring',
        'rotating-credentials',
        'registering-dns',
        'scheduling-expiry',
        'ready',
      ]),
    );

    // The instance carries the source's network and groups, our defaults and our tags.
    const instance = await describeInstance(h, fork.id);
    expect(instance.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId)).toEqual([h.source.securityGroupId]);
    expect(instance.DBSubnetGroup?.DBSubnetGroupName).toBe(h.source.subnetGroupName);
    expect(instance.DBParameterGroups?.map((g) => g.DBParameterGroupName)).toEqual([
      h.source.parameterGroupName,
    ]);
    expect(instance.OptionGroupMemberships?.map((g) => g.OptionGroupName)).toEqual([
      h.source.optionGroupName,
    ]);
    expect(instance).toMatchObject({ MultiAZ: false, PubliclyAccessible: false, DeletionProtection: false });
    expect(await tagsOf(h, instance.DBInstanceArn ?? '')).toEqual({
      'dbfork:managed': 'true',
      'dbfork:fork-id': fork.id,
      'dbfork:expires-at': fork.expiresAt,
      'dbfork:owner': OWNER,
      pr: '1234',
    });

    // The password was changed to the one stored in the secret, whose host is the instance's own
    // endpoint (its TLS certificate names it); the fork's DNS name rides along as dnsName.
    const secret = await secretValue(h.clients, fork.secretArn ?? '');
    expect(secret).toMatchObject({
      engine: 'postgres',
      host: instance.Endpoint?.Address,
      dnsName: `pr-1234.${DOMAIN}`,
      username: 'app_admin',
      dbname: 'orders',
    });
    expect(secret.password).toMatch(/^.{32}$/);
    const modify = calls.find((c) => c.action === 'ModifyDBInstance');
    expect(modify?.params).toMatchObject({
      DBInstanceIdentifier: fork.id,
      MasterUserPassword: secret.password,
      ApplyImmediately: 'true',
    });

    // CNAME to the instance endpoint, and the one-time expiry schedule targeting the delete workflow.
    const records = await h.leftovers(fork.id);
    expect(records.dnsRecords).toEqual([`pr-1234.${DOMAIN}.`]);
    const expiry = await schedule(h.clients, scheduleName(fork.id));
    expect(expiry).toMatchObject({
      ScheduleExpression: atExpression(fork.expiresAt),
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      Target: expect.objectContaining({ Input: JSON.stringify({ forkId: fork.id }) }),
    });

    const deleted = await h.delete(fork.id);
    expect(deleted.execution?.status).toBe('SUCCEEDED');
    expect(deleted.fork).toMatchObject({ status: 'deleted', step: 'deleted' });
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    // The source is untouched.
    expect((await describeInstance(h, 'orders-prod')).DBInstanceStatus).toBe('available');
  });

  it('expires: the expiry schedule, fired as Scheduler would at expiresAt, deletes the fork and leaves nothing', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod', ttlHours: 1 });
    expect(fork.status).toBe('ready');

    const early = await fireDueSchedules(schedulerOf(h, new Date(Date.parse(fork.expiresAt) - 60_000)));
    expect(early).toEqual([]);
    const fired = await fireDueSchedules(schedulerOf(h, new Date(Date.parse(fork.expiresAt) + 1000)));
    expect(fired).toEqual([{ name: scheduleName(fork.id), forkId: fork.id, target: 'delete-workflow' }]);
    await h.workflows.idle();

    expect((await h.rt.store.mustGet(fork.id)).status).toBe('deleted');
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it('forks MySQL and MariaDB instances too', async () => {
    const mysql = await workflowHarness({ sourceId: 'billing-mysql', engine: 'mysql' });
    const mysqlFork = await mysql.create({ source: 'billing-mysql' });
    expect(mysqlFork.fork.status).toBe('ready');
    expect(await secretValue(mysql.clients, mysqlFork.fork.secretArn ?? '')).toMatchObject({
      engine: 'mysql',
    });
    await resetMoto();
    const mariadb = await workflowHarness({ sourceId: 'billing-mariadb', engine: 'mariadb' });
    const mariadbFork = await mariadb.create({ source: 'billing-mariadb' });
    expect(mariadbFork.fork.status).toBe('ready');
    await mariadb.delete(mariadbFork.fork.id);
    expect(await mariadb.leftovers(mariadbFork.fork.id)).toEqual(NOTHING_LEFT);
  });

  it('forks from a named snapshot', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({
      source: 'orders-prod',
      restore: { type: 'snapshot', snapshotId: h.source.manualSnapshotId },
    });
    expect(fork.status).toBe('ready');
    expect(fork.restore.resolved).toEqual({ snapshotId: h.source.manualSnapshotId });
    await h.delete(fork.id);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it('forks to a point in time inside the window, and to the latest restorable time', async () => {
    const h = await workflowHarness();
    const source = await h.rt.engines.get('rds-instance').describeSource('orders-prod');
    // moto: earliest = the instance's creation, latest = now; pick a time strictly inside.
    const earliest = Date.parse(source?.restorableWindow.earliest ?? '');
    const time = new Date(earliest + 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const atTime = await h.create({ source: 'orders-prod', restore: { type: 'point-in-time', time } });
    expect(atTime.fork.status).toBe('ready');
    expect(atTime.fork.restore.resolved).toEqual({ restoreTime: time });

    const latest = await h.create({
      source: 'orders-prod',
      restore: { type: 'point-in-time', latest: true },
    });
    expect(latest.fork.status).toBe('ready');
    expect(latest.fork.restore.resolved).toEqual({ useLatestRestorableTime: true });
    expect((await describeInstance(h, latest.fork.id)).VpcSecurityGroups?.[0]?.VpcSecurityGroupId).toBe(
      h.source.securityGroupId,
    );

    for (const { fork } of [atTime, latest]) {
      await h.delete(fork.id);
      expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    }
  });

  it('takes a fresh snapshot of the source, restores from it, and deletes that snapshot with the fork', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod', restore: { type: 'fresh-snapshot' } });
    expect(fork.status).toBe('ready');
    expect(fork.restore.resolved).toEqual({ snapshotId: `${fork.id}-source` });
    expect(fork.history.map((e) => e.step)).toContain('snapshotting-source');
    const snapshot = await h.clients.rds.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: `${fork.id}-source` }),
    );
    expect(snapshot.DBSnapshots?.[0]?.DBInstanceIdentifier).toBe('orders-prod');

    await h.delete(fork.id);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it.each([
    ['restore', 'after'],
    ['register-dns', 'after'],
    ['rotate-credentials', 'after'],
    ['schedule-expiry', 'after'],
  ] as const)('cleans up everything and ends failed when %s fails %s its side effect', async (step, when) => {
    const h = await workflowHarness({ faults: { [step]: when } });
    const { fork, execution } = await h.create({ source: 'orders-prod', name: 'doomed' });

    expect(execution.status).toBe('FAILED');
    expect(fork.status).toBe('failed');
    expect(fork.error).toEqual({ code: 'InjectedFaultError', message: `injected failure ${when} ${step}` });
    expect(fork.history.map((e) => e.step)).toEqual(expect.arrayContaining(['cleaning-up', 'failed']));
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    await expect(h.rt.secrets.read(fork.id)).resolves.toBeUndefined();
    expect(secretName(fork.id)).toBe(`dbfork/${fork.id}`);
    // The name is free again once the fork failed.
    await expect(h.rt.store.findLiveByName('doomed')).resolves.toBeUndefined();
  });
});
