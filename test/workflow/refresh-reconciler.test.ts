import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFullReconcile } from '../../lambdas/events/reconcile-all.js';
import { resetMoto } from '../support/moto.js';
import { type Harness, secretValue, workflowHarness } from '../support/workflow-harness.js';

/**
 * The reconciler behind RefreshFork: a refresh whose workflow died is undone (its new database
 * removed, the fork as it was) or, once switched, ended; a database a live fork no longer claims
 * (one a refresh replaced but could not delete) is removed by the orphan sweep. Nothing is left.
 */

const hoursAfter = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000);

async function instanceIds(h: Harness): Promise<string[]> {
  const out = await h.clients.rds.send(new DescribeDBInstancesCommand({}));
  return (out.DBInstances ?? []).map((i) => i.DBInstanceIdentifier ?? '').sort();
}

/** Runs the reconciler (all three sweeps) at `now` until `settled`, as its rate rule would. */
async function reconcileUntil(h: Harness, now: Date, settled: () => Promise<boolean>): Promise<void> {
  const reconcile = createFullReconcile(h.rt, { now: () => now });
  for (let pass = 0; pass < 40 && !(await settled()); pass++) {
    const summary = await reconcile();
    expect(summary.errors).toEqual([]);
    await h.workflows.idle();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Reconciler and refreshes (moto)', () => {
  beforeEach(async () => {
    await resetMoto();
  });

  it('undoes a refresh whose workflow died before the switch: the new database goes, the old one serves as before', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod' });
    const secretBefore = await secretValue(h.clients, fork.secretArn ?? '');
    // The refresh fails at its switch and its own undo cannot run: its workflow is gone.
    const dying = h.withFaults({ 'switch-secret': 'before', 'undo-refresh': 'before' });
    const { fork: stuck, execution } = await dying.refresh(fork.id);
    expect(execution.status).toBe('FAILED');
    expect(stuck.refresh?.state).toBe('running');
    expect(await instanceIds(h)).toEqual([fork.id, `${fork.id}-r1`, 'orders-prod']);

    // Not yet stuck: left alone (and its new database, which the fork claims, too).
    const soon = await createFullReconcile(h.rt, { now: () => hoursAfter(stuck.updatedAt, 1) })();
    expect(soon).toMatchObject({ stuck: [], orphans: [], errors: [] });

    const late = await createFullReconcile(h.rt, { now: () => hoursAfter(stuck.updatedAt, 6) })();
    expect(late.errors).toEqual([]);
    expect(late.stuck).toMatchObject([{ forkId: fork.id, action: 'undo-refresh' }]);
    await h.workflows.idle();

    const after = await h.rt.store.mustGet(fork.id);
    expect(after).toMatchObject({ status: 'ready', refresh: { state: 'failed', error: { code: 'stuck' } } });
    expect(after.databaseId ?? after.id).toBe(fork.id);
    expect(await instanceIds(h)).toEqual([fork.id, 'orders-prod']);
    expect(await secretValue(h.clients, fork.secretArn ?? '')).toEqual(secretBefore);
    const stages = await h.clients.secrets.send(new DescribeSecretCommand({ SecretId: fork.secretArn }));
    expect(Object.values(stages.VersionIdsToStages ?? {}).flat()).not.toContain('AWSPENDING');
  });

  it('removes the database a refresh replaced but could not delete (a live fork no longer claims it)', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod' });
    const failingRemoval = h.withFaults({ 'delete-database': 'before' });
    const { fork: refreshed, execution } = await failingRemoval.refresh(fork.id);
    // The refresh succeeded (the new database serves the fork); the old one is still there.
    expect(execution.status).toBe('SUCCEEDED');
    expect(refreshed).toMatchObject({ databaseId: `${fork.id}-r1`, refresh: { state: 'succeeded' } });
    expect(refreshed.history.at(-1)?.message).toMatch(/could not be deleted yet .*the reconciler removes it/);
    expect(await instanceIds(h)).toEqual([fork.id, `${fork.id}-r1`, 'orders-prod']);

    await reconcileUntil(h, new Date(), async () => !(await instanceIds(h)).includes(fork.id));

    expect(await instanceIds(h)).toEqual([`${fork.id}-r1`, 'orders-prod']);
    expect((await h.rt.store.mustGet(fork.id)).status).toBe('ready');
  });

  it('ends a refresh whose workflow died after the switch: the new database serves the fork', async () => {
    const h = await workflowHarness();
    const { fork } = await h.create({ source: 'orders-prod' });
    const dying = h.withFaults({ 'mark-refreshed': 'before' });
    const { fork: stuck, execution } = await dying.refresh(fork.id);
    expect(execution.status).toBe('FAILED');
    expect(stuck).toMatchObject({ databaseId: `${fork.id}-r1`, refresh: { state: 'retiring' } });

    const late = await createFullReconcile(h.rt, { now: () => hoursAfter(stuck.updatedAt, 6) })();
    expect(late.stuck).toMatchObject([{ forkId: fork.id, action: 'end-refresh' }]);
    expect((await h.rt.store.mustGet(fork.id)).refresh?.state).toBe('succeeded');
    expect(await instanceIds(h)).toEqual([`${fork.id}-r1`, 'orders-prod']);
  });
});
