import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ForkStateConflictError } from '../../lambdas/core/errors.js';
import type { LifecycleEvent } from '../../lambdas/core/events.js';
import { atExpression } from '../../lambdas/core/expiry-schedule.js';
import type { ForkRecord } from '../../lambdas/core/fork.js';
import { refreshScheduleName, scheduleName, warningScheduleName } from '../../lambdas/core/ids.js';
import { statesEntered } from '../../local/state-machine-runner.js';
import { resetMoto, startMotoRecording, stopMotoRecording } from '../support/moto.js';
import {
  DOMAIN,
  describeInstance,
  type Harness,
  NOTHING_LEFT,
  schedule,
  secretValue,
  workflowHarness,
} from '../support/workflow-harness.js';

/**
 * RefreshFork end to end on moto: the synthesized state machine, every Task bound to its real step
 * handler. A refresh's new database takes over the fork's secret and DNS name only once it is
 * ready, and the old database goes; a refresh that fails leaves the old database serving, the
 * secret and the CNAME exactly as they were, and nothing of the new database behind.
 */

async function cnameOf(h: Harness, fork: ForkRecord): Promise<string | undefined> {
  const out = await h.clients.route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: h.rt.env.hostedZoneId }),
  );
  const record = out.ResourceRecordSets?.find((r) => r.Type === 'CNAME' && r.Name === `${fork.dnsName}.`);
  return record?.ResourceRecords?.[0]?.Value;
}

async function secretStages(h: Harness, fork: ForkRecord): Promise<string[]> {
  const out = await h.clients.secrets.send(new DescribeSecretCommand({ SecretId: fork.secretArn }));
  return Object.values(out.VersionIdsToStages ?? {})
    .flat()
    .sort();
}

/** Every lifecycle event a harness's workflows publish. */
function publishedBy(h: Harness): { type: LifecycleEvent; fork: ForkRecord }[] {
  const published: { type: LifecycleEvent; fork: ForkRecord }[] = [];
  const publish = h.rt.events.publish.bind(h.rt.events);
  vi.spyOn(h.rt.events, 'publish').mockImplementation(async (type, fork) => {
    published.push({ type, fork });
    await publish(type, fork);
  });
  return published;
}

/** The fork as a refresh must leave it when it fails: the old database serving, as before. */
async function expectUntouched(h: Harness, before: ForkRecord, secretBefore: Record<string, unknown>) {
  const after = await h.rt.store.mustGet(before.id);
  expect(after).toMatchObject({
    status: 'ready',
    step: 'ready',
    name: before.name,
    dnsName: before.dnsName,
    secretArn: before.secretArn,
    expiresAt: before.expiresAt,
    endpoint: before.endpoint,
  });
  expect(after.databaseId ?? after.id).toBe(before.databaseId ?? before.id);
  const old = await describeInstance(h, before.databaseId ?? before.id);
  expect(old.DBInstanceStatus).toBe('available');
  // Readers get exactly what they got before; no staged version is left (a switch that was undone
  // leaves the new database's credentials as AWSPREVIOUS, a version nobody reads).
  expect(await secretValue(h.clients, before.secretArn ?? '')).toEqual(secretBefore);
  expect(await secretStages(h, before)).not.toContain('AWSPENDING');
  expect(await cnameOf(h, before)).toBe(before.endpoint?.host);
  return after;
}

describe('RefreshFork for an RDS instance (moto)', () => {
  beforeEach(async () => {
    await resetMoto();
  });

  it('moves the secret and the DNS name to a new database once it is ready, deletes the old one, and keeps name, secret ARN and expiry', async () => {
    const h = await workflowHarness();
    const events = publishedBy(h);
    const { fork } = await h.create({ source: 'orders-prod', name: 'nightly', ttlHours: 24 });
    const before = await secretValue(h.clients, fork.secretArn ?? '');
    expect(await cnameOf(h, fork)).toBe(fork.endpoint?.host);

    await startMotoRecording();
    const { fork: refreshed, execution } = await h.refresh(fork.id);
    const calls = await stopMotoRecording();

    expect(execution.status, JSON.stringify(execution.error)).toBe('SUCCEEDED');
    const newId = `${fork.id}-r1`;
    const instance = await describeInstance(h, newId);
    expect(refreshed).toMatchObject({
      status: 'ready',
      step: 'ready',
      name: 'nightly',
      dnsName: `nightly.${DOMAIN}`,
      secretArn: fork.secretArn,
      expiresAt: fork.expiresAt,
      databaseId: newId,
      endpoint: { host: instance.Endpoint?.Address, port: instance.Endpoint?.Port },
      refresh: {
        state: 'succeeded',
        attempt: 1,
        databaseId: newId,
        previousDatabaseId: fork.id,
        restore: { requested: { type: 'latest-backup' } },
      },
    });
    // The secret: the new database's own endpoint and a new password, which the new database has.
    const after = await secretValue(h.clients, fork.secretArn ?? '');
    expect(after).toMatchObject({
      host: instance.Endpoint?.Address,
      dbInstanceIdentifier: newId,
      username: before.username,
      dnsName: fork.dnsName,
    });
    expect(after.password).not.toBe(before.password);
    const modify = calls.find((c) => c.action === 'ModifyDBInstance');
    expect(modify?.params).toMatchObject({ DBInstanceIdentifier: newId, MasterUserPassword: after.password });
    // No pending version is left; the old credentials are AWSPREVIOUS.
    expect(await secretStages(h, fork)).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    expect(await cnameOf(h, fork)).toBe(instance.Endpoint?.Address);
    // The old database is gone, the new one carries the fork's tags.
    await expect(describeInstance(h, fork.id)).rejects.toThrow(/not found/);
    expect(instance.TagList).toEqual(expect.arrayContaining([{ Key: 'dbfork:fork-id', Value: fork.id }]));
    // The lineage lists the refresh; the data now comes from its backup.
    expect(refreshed.refreshes).toEqual([
      {
        at: expect.any(String),
        requestedBy: fork.owner,
        restore: { requested: { type: 'latest-backup' }, resolved: refreshed.refresh?.restore.resolved },
        databaseId: newId,
        replaced: fork.id,
      },
    ]);
    expect(events.map((e) => e.type)).toEqual(['Fork Requested', 'Fork Ready', 'Fork Refreshed']);
    expect(events[2]?.fork).toMatchObject({ databaseId: newId, refresh: { state: 'retiring' } });

    // A second refresh replaces the first one's database.
    const second = await h.refresh(fork.id, {
      restore: { type: 'snapshot', snapshotId: h.source.manualSnapshotId },
    });
    expect(second.fork).toMatchObject({
      databaseId: `${fork.id}-r2`,
      refresh: { state: 'succeeded', attempt: 2 },
    });
    expect(second.fork.refreshes?.map((r) => [r.databaseId, r.replaced])).toEqual([
      [newId, fork.id],
      [`${fork.id}-r2`, newId],
    ]);
    await expect(describeInstance(h, newId)).rejects.toThrow(/not found/);

    await h.delete(fork.id);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it('gives the fork the TTL a refresh asks for, counted from the switch, and moves the expiry and its warning', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod', ttlHours: 2 });
    const { fork: refreshed } = await h.refresh(fork.id, { ttlHours: 48 });

    expect(refreshed.refresh?.state).toBe('succeeded');
    expect(refreshed.ttlHours).toBe(48);
    const hours = (Date.parse(refreshed.expiresAt) - Date.parse(fork.expiresAt)) / 3_600_000;
    expect(hours).toBeGreaterThan(45);
    expect((await schedule(h.clients, scheduleName(fork.id))).ScheduleExpression).toBe(
      atExpression(refreshed.expiresAt),
    );
    // `Fork Expiring` moves with it (armExpiry): the lead time before the new expiry, recorded.
    const warningAt = new Date(Date.parse(refreshed.expiresAt) - 60 * 60_000).toISOString();
    expect(refreshed.expiryWarningAt).toBe(warningAt);
    const warning = await schedule(h.clients, warningScheduleName(fork.id));
    expect(warning.ScheduleExpression).toBe(atExpression(warningAt));
    expect(JSON.parse(warning.Target?.Input ?? '{}')).toEqual({
      forkId: fork.id,
      expiresAt: refreshed.expiresAt,
    });
  });

  it('keeps the expiry and its warning where they were when the refresh gives no TTL', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod', ttlHours: 2 });
    const { fork: refreshed } = await h.refresh(fork.id);

    expect(refreshed).toMatchObject({ expiresAt: fork.expiresAt, expiryWarningAt: fork.expiryWarningAt });
    expect((await schedule(h.clients, warningScheduleName(fork.id))).ScheduleExpression).toBe(
      atExpression(fork.expiryWarningAt ?? ''),
    );
  });

  it('refreshes from a fresh snapshot of the source and removes that snapshot with the database', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod' });
    const { fork: refreshed } = await h.refresh(fork.id, { restore: { type: 'fresh-snapshot' } });
    const snapshotId = `${fork.id}-r1-source`;
    expect(refreshed.refresh?.restore.resolved).toEqual({ snapshotId });
    const snapshots = await h.clients.rds.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }),
    );
    expect(snapshots.DBSnapshots?.[0]?.DBInstanceIdentifier).toBe('orders-prod');

    await h.delete(fork.id);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it.each([
    ['select-backup', 'after'],
    ['restore', 'after'],
    ['stage-credentials', 'after'],
    ['check-credentials', 'before'],
    ['switch-secret', 'after'],
    ['switch-dns', 'after'],
    ['take-over', 'before'],
  ] as const)(
    'fails when %s fails %s its side effect: the new database goes, the old one serves as before',
    async (step, when) => {
      const h = await workflowHarness();
      const { fork } = await h.create({ source: 'orders-prod', name: 'kept' });
      const secretBefore = await secretValue(h.clients, fork.secretArn ?? '');
      const faulty = h.withFaults({ [step]: when });
      const events = publishedBy(faulty);

      const { fork: after, execution } = await faulty.refresh(fork.id);

      expect(execution.status).toBe('FAILED');
      expect(execution.error?.error).toBe('RefreshFailed');
      await expectUntouched(h, fork, secretBefore);
      expect(after.refresh).toMatchObject({
        state: 'failed',
        attempt: 1,
        error: { code: 'InjectedFaultError', message: `injected failure ${when} ${step}` },
      });
      expect(after.history.at(-1)?.message).toMatch(
        new RegExp(
          `^refresh 1 failed \\(InjectedFaultError\\): injected failure ${when} ${step}; ${fork.id} still serves the fork`,
        ),
      );
      await expect(describeInstance(h, `${fork.id}-r1`)).rejects.toThrow(/not found/);
      expect(events.map((e) => e.type)).toEqual(['Fork Refresh Failed']);
      expect(events[0]?.fork).toMatchObject({ status: 'ready', refresh: { state: 'failed' } });

      // The fork can be refreshed again, and is.
      const again = await h.refresh(fork.id);
      expect(again.fork).toMatchObject({
        databaseId: `${fork.id}-r2`,
        refresh: { state: 'succeeded', attempt: 2 },
      });
      await h.delete(fork.id);
      expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    },
  );

  it('refuses a second refresh while one runs, and a fork that is not ready (409)', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod' });
    // Hold the refresh at its restore until the second request has been answered.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding = h.withHandlers((handlers) => ({
      ...handlers,
      restore: async (input: unknown) => {
        await held;
        return handlers.restore(input);
      },
    }));
    const first = holding.refresh(fork.id);
    await vi.waitFor(async () => expect((await h.rt.store.mustGet(fork.id)).refresh?.state).toBe('running'));
    await expect(h.refresh(fork.id)).rejects.toThrow(ForkStateConflictError);
    await expect(h.refresh(fork.id)).rejects.toThrow(/refresh 1 is running/);
    release();
    expect((await first).fork.refresh?.state).toBe('succeeded');

    await h.delete(fork.id);
    await expect(h.refresh(fork.id)).rejects.toThrow(/only a ready fork can be refreshed/);
  });

  it('leaves nothing behind when the fork is deleted while its refresh builds the new database', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod', name: 'doomed' });
    // The delete lands right after the refresh started its restore.
    const deleting = h.withHandlers((handlers) => ({
      ...handlers,
      restore: async (input: unknown) => {
        const output = await handlers.restore(input);
        await h.delete(fork.id);
        return output;
      },
    }));
    const events = publishedBy(deleting);
    const { execution } = await deleting.refresh(fork.id);
    await h.workflows.idle();

    expect(execution.status).toBe('FAILED');
    const after = await h.rt.store.mustGet(fork.id);
    expect(after.status).toBe('deleted');
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    // A deleted fork's failed refresh is not announced (Fork Deleted is).
    expect(events.map((e) => e.type)).not.toContain('Fork Refresh Failed');
  });

  it('leaves nothing behind when the fork is deleted while its refresh switches', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod' });
    const deleting = h.withHandlers((handlers) => ({
      ...handlers,
      'switch-secret': async (input: unknown) => {
        const output = await handlers['switch-secret'](input);
        await h.delete(fork.id);
        return output;
      },
    }));
    await deleting.refresh(fork.id);
    await h.workflows.idle();

    expect((await h.rt.store.mustGet(fork.id)).status).toBe('deleted');
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it('refreshes on its schedule: a cron schedule per fork that starts RefreshFork, removed with the fork', async () => {
    const h = await workflowHarness();
    // Two minutes from now (the fork expires in a day, so its expiry schedule is not due).
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 120_000);
    const cron = `cron(${at.getUTCMinutes()} ${at.getUTCHours()} * * ? *)`;
    const { fork } = await h.create({ source: 'orders-prod', refreshSchedule: cron });
    expect(fork.refreshSchedule).toBe(cron);
    const recurring = await schedule(h.clients, refreshScheduleName(fork.id));
    expect(recurring).toMatchObject({
      ScheduleExpression: cron,
      ScheduleExpressionTimezone: 'UTC',
      Target: expect.objectContaining({
        Arn: h.rt.env.refreshStateMachineArn,
        Input: JSON.stringify({ forkId: fork.id, scheduled: true }),
      }),
    });

    const { fireDueSchedules } = await import('../../local/scheduler-emulation.js');
    const options = {
      scheduler: h.clients.scheduler,
      groupName: h.rt.env.schedulerGroupName,
      deleteStateMachineArn: h.rt.env.deleteStateMachineArn ?? '',
      refreshStateMachineArn: h.rt.env.refreshStateMachineArn ?? '',
      workflows: h.workflows,
      firedMinutes: new Set<string>(),
    };
    expect(await fireDueSchedules({ ...options, now: new Date(at.getTime() - 30_000) })).toEqual([]);
    expect(await fireDueSchedules({ ...options, now: new Date(at.getTime() + 10_000) })).toEqual([
      { name: refreshScheduleName(fork.id), forkId: fork.id, target: 'refresh-workflow' },
    ]);
    // The same minute fires once.
    expect(await fireDueSchedules({ ...options, now: new Date(at.getTime() + 40_000) })).toEqual([]);
    await h.workflows.idle();
    const refreshed = await h.rt.store.mustGet(fork.id);
    expect(refreshed.refresh).toMatchObject({ state: 'succeeded', requestedBy: 'schedule' });
    expect(refreshed.databaseId).toBe(`${fork.id}-r1`);

    await h.delete(fork.id);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  });

  it('a scheduled refresh is skipped while another refresh runs', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod', refreshSchedule: 'cron(0 3 * * ? *)' });
    await h.rt.store.refreshes.claim(
      fork.id,
      {
        attempt: 1,
        databaseId: `${fork.id}-r1`,
        previousDatabaseId: fork.id,
        requestedBy: 'test',
        restore: { requested: { type: 'latest-backup' } },
      },
      'held by the test',
    );
    h.workflows.start('refresh', 'scheduled', fork.id, { scheduled: true });
    await h.workflows.idle();
    const [execution] = h.workflows.list(fork.id).filter((e) => e.kind === 'refresh');
    expect(execution?.status).toBe('SUCCEEDED');
    expect(statesEntered(execution?.events ?? [])).toEqual([
      'Abandoned?',
      'BeginRefresh',
      'NothingToDo?',
      'Skipped',
    ]);
    expect((await h.rt.store.mustGet(fork.id)).refresh).toMatchObject({ attempt: 1, state: 'running' });
  });
});
