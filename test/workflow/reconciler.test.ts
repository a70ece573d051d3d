import { CreateDBInstanceCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { DeleteScheduleCommand } from '@aws-sdk/client-scheduler';
import { CreateSecretCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { NotManagedResourceError } from '../../lambdas/core/errors.js';
import { scheduleTarget } from '../../lambdas/core/expiry-arming.js';
import type { ForkRecord } from '../../lambdas/core/fork.js';
import {
  refreshScheduleName,
  scheduleName,
  secretName,
  warningScheduleName,
} from '../../lambdas/core/ids.js';
import { TAG } from '../../lambdas/core/tags.js';
import { pseudoRecord } from '../../lambdas/events/orphans.js';
import { createFullReconcile } from '../../lambdas/events/reconcile-all.js';
import { teardownDatabase } from '../../lambdas/steps/fork-engine.js';
import { resetMoto } from '../support/moto.js';
import {
  DOMAIN,
  type Harness,
  NOTHING_LEFT,
  SCHEDULE_GROUP,
  workflowHarness,
} from '../support/workflow-harness.js';

const hoursAfter = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000);

async function instanceIds(h: Harness): Promise<string[]> {
  const out = await h.clients.rds.send(new DescribeDBInstancesCommand({}));
  return (out.DBInstances ?? []).map((i) => i.DBInstanceIdentifier ?? '').sort();
}

async function secretNames(h: Harness): Promise<string[]> {
  const out = await h.clients.secrets.send(new ListSecretsCommand({}));
  return (out.SecretList ?? []).map((s) => s.Name ?? '').sort();
}

/** A DB instance and a `dbfork/<id>` secret as dbfork would name them, with the given tags (or none). */
async function plant(h: Harness, id: string, tags: Record<string, string>): Promise<void> {
  const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  await h.clients.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      Engine: 'postgres',
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: 20,
      MasterUsername: 'planted',
      MasterUserPassword: 'planted-password-1',
      ...(Tags.length ? { Tags } : {}),
    }),
  );
  await h.clients.secrets.send(
    new CreateSecretCommand({
      Name: secretName(id),
      SecretString: '{"password":"planted-password-1"}',
      ...(Tags.length ? { Tags } : {}),
    }),
  );
}

/**
 * The reconciler runs on a rate rule. A database takes a while to go (the faithful emulator keeps it
 * `deleting` for a moment, AWS for minutes), so the first pass starts a teardown and later passes
 * finish it: run passes, as the rule would, until `settled` (bounded).
 */
async function sweepUntil(
  reconcile: () => Promise<unknown>,
  settled: () => Promise<boolean>,
  passes = 40,
): Promise<void> {
  for (let pass = 0; pass < passes && !(await settled()); pass++) {
    await reconcile();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const isNothingLeft = (h: Harness, forkId: string) => async () =>
  JSON.stringify(await h.leftovers(forkId)) === JSON.stringify(NOTHING_LEFT);

describe('Reconciler (moto)', () => {
  beforeEach(async () => {
    await resetMoto();
  });

  it('deletes a ready fork whose expiry passed after its schedule was lost, leaving nothing behind', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod', name: 'lost-schedule', ttlHours: 1 });
    expect(fork.status).toBe('ready');
    // The schedule is gone (deleted by hand, failed, or never fired): only the reconciler can help.
    await h.clients.scheduler.send(
      new DeleteScheduleCommand({ Name: scheduleName(fork.id), GroupName: SCHEDULE_GROUP }),
    );

    // Before the expiry, nothing to do.
    const early = await createFullReconcile(h.rt)();
    expect(early).toEqual({ expired: [], orphans: [], stuck: [], errors: [] });

    const summary = await createFullReconcile(h.rt, { now: () => hoursAfter(fork.expiresAt, 1) })();
    expect(summary.expired).toEqual([
      { forkId: fork.id, action: 'start-delete', detail: `expired at ${fork.expiresAt}` },
    ]);
    expect(summary.errors).toEqual([]);
    await h.workflows.idle();

    const after = await h.rt.store.mustGet(fork.id);
    expect(after.status).toBe('deleted');
    expect(h.workflows.list(fork.id).map((e) => [e.kind, e.name, e.status])).toContainEqual([
      'delete',
      `${fork.id}-reconcile`,
      'SUCCEEDED',
    ]);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    expect(await instanceIds(h)).toEqual(['orders-prod']);

    // A second run finds nothing left to do.
    const again = await createFullReconcile(h.rt, { now: () => hoursAfter(fork.expiresAt, 2) })();
    expect(again).toEqual({ expired: [], orphans: [], stuck: [], errors: [] });
  });

  it('removes an orphaned instance, secret and schedules (expiry, warning, refresh) tagged managed whose fork has no record', async () => {
    const h = await workflowHarness();
    const orphan = 'fork-orphan0000a1';
    const expiresAt = new Date(Date.now() + 24 * 3_600_000).toISOString();
    await plant(h, orphan, { [TAG.managed]: 'true', [TAG.forkId]: orphan, [TAG.expiresAt]: expiresAt });
    const target = scheduleTarget(h.rt.env);
    await h.rt.schedules.put(orphan, expiresAt, target);
    await h.rt.schedules.putWarning(orphan, hoursAfter(expiresAt, -1).toISOString(), expiresAt, target);
    await h.rt.schedules.putRefresh(orphan, 'cron(0 3 * * ? *)', {
      groupName: target.groupName,
      refreshStateMachineArn: h.rt.env.refreshStateMachineArn ?? '',
      roleArn: target.roleArn,
    });
    const planted = await h.leftovers(orphan);
    expect(planted).toMatchObject({ instances: [orphan], secrets: [secretName(orphan)] });
    expect(planted.schedules.sort()).toEqual(
      [scheduleName(orphan), refreshScheduleName(orphan), warningScheduleName(orphan)].sort(),
    );

    const summary = await createFullReconcile(h.rt)();
    expect(summary.errors).toEqual([]);
    // Both orphan sweeps found it: the database one, and the one of secrets and schedules.
    expect(summary.orphans.map((a) => [a.forkId, a.action]).sort()).toEqual([
      [orphan, 'teardown-database'],
      [orphan, 'teardown-leftovers'],
    ]);
    for (const action of summary.orphans) expect(action.detail).toMatch(/^no record: /);
    await sweepUntil(createFullReconcile(h.rt), isNothingLeft(h, orphan));
    expect(await h.leftovers(orphan)).toEqual(NOTHING_LEFT);
    expect(await instanceIds(h)).toEqual(['orders-prod']);
  });

  it('removes the leftovers of a fork whose record is already deleted', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod', name: 'half-gone', ttlHours: 2 });
    await h.delete(fork.id);
    // Something re-created a tagged secret for the deleted fork (say, a retried rotation that lost a race).
    await h.clients.secrets.send(
      new CreateSecretCommand({
        Name: secretName(fork.id),
        SecretString: '{}',
        Tags: [
          { Key: TAG.managed, Value: 'true' },
          { Key: TAG.forkId, Value: fork.id },
        ],
      }),
    );
    const summary = await createFullReconcile(h.rt)();
    expect(summary.orphans).toMatchObject([{ forkId: fork.id, action: 'teardown-leftovers' }]);
    expect(summary.orphans[0]?.detail).toMatch(/^record deleted: secret dbfork\//);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    expect((await h.rt.store.mustGet(fork.id)).status).toBe('deleted');
  });

  it('never touches an untagged look-alike named like a fork, nor the source', async () => {
    const h = await workflowHarness();
    const lookAlike = 'fork-aaaaaaaaaaaa';
    await plant(h, lookAlike, {});
    // Tagged managed but without a fork id, and tagged with a fork id but not managed: not ours either.
    await plant(h, 'fork-bbbbbbbbbbbb', { [TAG.managed]: 'true' });
    await plant(h, 'fork-cccccccccccc', { [TAG.forkId]: 'fork-cccccccccccc' });
    const before = { instances: await instanceIds(h), secrets: await secretNames(h) };
    expect(before.instances).toEqual([
      'fork-aaaaaaaaaaaa',
      'fork-bbbbbbbbbbbb',
      'fork-cccccccccccc',
      'orders-prod',
    ]);

    // Long after any expiry, with the shortest grace: still nothing to remove.
    const summary = await createFullReconcile(h.rt, {
      now: () => hoursAfter(new Date().toISOString(), 24 * 365),
    })();
    expect(summary).toEqual({ expired: [], orphans: [], stuck: [], errors: [] });
    expect(await instanceIds(h)).toEqual(before.instances);
    expect(await secretNames(h)).toEqual(before.secrets);

    // Even pointed straight at them, the teardown refuses: the tag guard checks the live resource.
    await expect(teardownDatabase(pseudoRecord(lookAlike), h.rt)).rejects.toBeInstanceOf(
      NotManagedResourceError,
    );
    await expect(
      teardownDatabase({ ...pseudoRecord(lookAlike), id: 'orders-prod' } as ForkRecord, h.rt),
    ).rejects.toBeInstanceOf(NotManagedResourceError);
    await expect(h.rt.secrets.delete(lookAlike)).rejects.toBeInstanceOf(NotManagedResourceError);
    expect(await instanceIds(h)).toEqual(before.instances);
    expect(await secretNames(h)).toEqual(before.secrets);
  });

  it('fails a fork stuck in creating past its step timeout and removes everything it made', async () => {
    const h = await workflowHarness();
    // The create dies right after registering DNS and its cleanup cannot run: the workflow is gone,
    // the fork sits in `creating` with an instance, a secret and a DNS record.
    const dying = h.withFaults({ 'register-dns': 'after', 'mark-deleting': 'before' });
    const { fork, execution } = await dying.create({ source: 'orders-prod', name: 'stuck', ttlHours: 24 });
    expect(execution.status).toBe('FAILED');
    expect(fork.status).toBe('creating');
    const left = await h.leftovers(fork.id);
    expect(left.instances).toEqual([fork.id]);
    expect(left.secrets).toEqual([secretName(fork.id)]);
    expect(left.dnsRecords).toEqual([`stuck.${DOMAIN}.`]);

    // Within the step's timeout it is left alone.
    const soon = await createFullReconcile(h.rt, { now: () => hoursAfter(fork.updatedAt, 0.5) })();
    expect(soon.stuck).toEqual([]);

    const late = createFullReconcile(h.rt, { now: () => hoursAfter(fork.updatedAt, 5) });
    const summary = await late();
    expect(summary.errors).toEqual([]);
    expect(summary.stuck).toMatchObject([{ forkId: fork.id, action: 'cleanup' }]);
    // The teardown runs as DeleteFork in cleanup mode, which ends in mark-failed.
    await h.workflows.idle();
    expect(
      h.workflows
        .list(fork.id)
        .filter((e) => e.kind === 'delete')
        .map((e) => e.status),
    ).toEqual(['SUCCEEDED']);
    const after = await h.rt.store.mustGet(fork.id);
    expect(after).toMatchObject({ status: 'failed', error: { code: 'stuck' } });
    expect(after.history.map((e) => e.step)).toEqual(expect.arrayContaining(['cleaning-up', 'failed']));
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    expect(await instanceIds(h)).toEqual(['orders-prod']);
  });
});
