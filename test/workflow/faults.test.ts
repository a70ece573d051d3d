import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ForkRecord } from '../../lambdas/core/fork.js';
import type { StepHandlers } from '../../lambdas/steps/registry.js';
import { CREATE_STEP_NAMES, type StepName } from '../../lambdas/steps/step-names.js';
import type { LocalExecution } from '../../local/local-workflows.js';
import type { SeededClusterSource } from '../../local/seed.js';
import { resetMoto } from '../support/moto.js';
import {
  type CrashPoint,
  clusterWorkflowHarness,
  type Harness,
  InjectedFaultError,
  injectFaults,
  NOTHING_LEFT,
  workflowHarness,
} from '../support/workflow-harness.js';

/**
 * Safety invariant 2 (DESIGN §3): whatever step of the create workflow fails —
 * right after its AWS side effect, or crashing part-way through it — the fork ends `failed`, keeps
 * the error, and leaves nothing behind. Every RDS fork here takes a fresh snapshot, so every create
 * step (check-snapshot included) runs and the snapshot must go too. A delete that fails half-way is
 * retried by its own Retry, and one whose retries run out converges when the delete runs again.
 */

const CREATE_STEPS: readonly StepName[] = CREATE_STEP_NAMES;

/** A crash part-way through each create step of an RDS fork: the step's own AWS work, cut short. */
const RDS_CRASHES: CrashPoint[] = [
  // The record moved to resolving-source but the source was never recorded: cleanup must look in every engine.
  { step: 'resolve-source', command: 'UpdateItemCommand', nth: 2, when: 'instead' },
  // The snapshot was taken but its answer lost: the record never names it.
  { step: 'select-backup', command: 'CreateDBSnapshotCommand', when: 'after' },
  { step: 'check-snapshot', command: 'DescribeDBSnapshotsCommand', when: 'instead' },
  { step: 'restore', command: 'RestoreDBInstanceFromDBSnapshotCommand', when: 'after' },
  { step: 'check-database', command: 'DescribeDBInstancesCommand', when: 'instead' },
  // The record moved to creating-instances (a no-op for an instance) and the answer was lost.
  { step: 'create-instances', command: 'UpdateItemCommand', when: 'after' },
  // The secret exists, the database still has the source's password.
  { step: 'rotate-credentials', command: 'ModifyDBInstanceCommand', when: 'instead' },
  // The password change was sent, its answer lost, the secret ARN never recorded.
  { step: 'rotate-credentials', command: 'ModifyDBInstanceCommand', when: 'after' },
  { step: 'check-credentials', command: 'DescribeDBInstancesCommand', when: 'instead' },
  // The endpoint is recorded, the CNAME not written.
  { step: 'register-dns', command: 'ChangeResourceRecordSetsCommand', when: 'instead' },
  // The CNAME was written, its answer lost.
  { step: 'register-dns', command: 'ChangeResourceRecordSetsCommand', when: 'after' },
  { step: 'schedule-expiry', command: 'CreateScheduleCommand', when: 'after' },
  // The record is `ready`, the Fork Ready event never went out.
  { step: 'mark-ready', command: 'PutEventsCommand', when: 'instead' },
];

async function expectCleanFailure<S>(
  h: Harness<S>,
  result: { fork: ForkRecord; execution: LocalExecution },
  error: { code: string; message: string | RegExp },
): Promise<void> {
  const { fork, execution } = result;
  expect(execution.status).toBe('FAILED');
  expect({ status: fork.status, step: fork.step }).toEqual({ status: 'failed', step: 'failed' });
  expect(fork.error?.code).toBe(error.code);
  expect(fork.error?.message).toMatch(error.message);
  expect(fork.history.map((e) => e.step)).toEqual(expect.arrayContaining(['cleaning-up', 'failed']));
  expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
  await expect(h.rt.secrets.read(fork.id)).resolves.toBeUndefined();
  expect(await h.rt.schedules.exists(fork.id, h.rt.env.schedulerGroupName)).toBe(false);
}

describe('create workflow under faults: an RDS instance fork from a fresh snapshot (moto)', () => {
  let h: Harness;

  beforeAll(async () => {
    await resetMoto();
    h = await workflowHarness();
  });

  it.each(CREATE_STEPS)('%s fails right after its side effect → failed, nothing left', async (step) => {
    const faulty = h.withFaults({ [step]: 'after' });
    const result = await faulty.create({ source: 'orders-prod', restore: { type: 'fresh-snapshot' } });
    await expectCleanFailure(faulty, result, {
      code: 'InjectedFaultError',
      message: `injected failure after ${step}`,
    });
  });

  it.each(RDS_CRASHES.map((point) => [point.step, point.when, point.command, point] as const))(
    '%s crashes %s %s → failed, nothing left',
    async (_step, _when, _command, point) => {
      const crashing = h.withCrash(point);
      const result = await crashing.create({ source: 'orders-prod', restore: { type: 'fresh-snapshot' } });
      await expectCleanFailure(crashing, result, {
        code: 'InjectedCrashError',
        message: `injected crash ${point.when} ${point.command} in ${point.step}`,
      });
    },
  );

  it('the source and its own snapshots survived every one of those failures', async () => {
    const source = await h.clients.rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders-prod' }),
    );
    expect(source.DBInstances?.[0]?.DBInstanceStatus).toBe('available');
    const snapshots = await h.clients.rds.send(
      new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'orders-prod' }),
    );
    const ids = (snapshots.DBSnapshots ?? []).map((s) => s.DBSnapshotIdentifier);
    expect(ids).toContain(h.source.manualSnapshotId);
    // Every fresh snapshot the failed forks took is gone: only the source's own remain.
    expect(ids.filter((id) => id?.endsWith('-source'))).toEqual([]);
  });
});

describe('create workflow under faults: an Aurora cluster fork (moto)', () => {
  let h: Harness<SeededClusterSource>;

  beforeAll(async () => {
    await resetMoto();
    h = await clusterWorkflowHarness({
      source: { kind: 'aurora-cluster', engine: 'aurora-postgresql' },
      sourceId: 'analytics-aurora',
    });
  });

  it.each(['create-instances', 'rotate-credentials', 'register-dns'] as const)(
    '%s fails right after its side effect → failed, cluster and writer gone',
    async (step) => {
      const faulty = h.withFaults({ [step]: 'after' });
      const result = await faulty.create({ source: 'analytics-aurora', restore: { type: 'fresh-snapshot' } });
      await expectCleanFailure(faulty, result, {
        code: 'InjectedFaultError',
        message: `injected failure after ${step}`,
      });
    },
  );

  it.each([
    // The writer was created, its answer lost: the record never learns of it.
    { step: 'create-instances', command: 'CreateDBInstanceCommand', when: 'after' },
    // The secret exists; the cluster still has the source's password.
    { step: 'rotate-credentials', command: 'ModifyDBClusterCommand', when: 'instead' },
  ] satisfies CrashPoint[])('$step crashes $when $command → failed, nothing left', async (point) => {
    const crashing = h.withCrash(point);
    const result = await crashing.create({ source: 'analytics-aurora' });
    await expectCleanFailure(crashing, result, {
      code: 'InjectedCrashError',
      message: `injected crash ${point.when} ${point.command} in ${point.step}`,
    });
  });
});

/** Fails `step` (after its real work) the first `times` calls, then lets it through. */
function failFirst(step: StepName, times: number) {
  let calls = 0;
  return (handlers: StepHandlers): StepHandlers => ({
    ...handlers,
    [step]: async (input: unknown) => {
      const out = await handlers[step](input);
      calls += 1;
      if (calls <= times) throw new InjectedFaultError(`injected failure after ${step} (call ${calls})`);
      return out;
    },
  });
}

/** delete-database reports the database still there, so the WaitForGone → CheckGone loop runs. */
function notGoneYet(handlers: StepHandlers): StepHandlers {
  return {
    ...handlers,
    'delete-database': async (input) => ({
      ...((await handlers['delete-database'](input)) as object),
      ready: false,
    }),
  };
}

const TEARDOWN_STEPS: StepName[] = [
  'remove-dns',
  'delete-database',
  'check-gone',
  'delete-secret',
  'delete-schedule',
  'mark-deleted',
];

describe('delete workflow under faults (moto)', () => {
  let h: Harness;

  beforeAll(async () => {
    await resetMoto();
    h = await workflowHarness();
  });

  it.each(['delete-database', 'delete-secret'] as const)(
    '%s fails half-way once: its Retry runs it again and the delete completes',
    async (step) => {
      const { fork } = await h.create({ source: 'orders-prod', restore: { type: 'fresh-snapshot' } });
      expect(fork.status).toBe('ready');
      const faulty = h.withHandlers(failFirst(step, 1));
      const deleted = await faulty.delete(fork.id);
      expect(deleted.execution?.status).toBe('SUCCEEDED');
      expect(deleted.fork.status).toBe('deleted');
      expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    },
  );

  it.each(TEARDOWN_STEPS)(
    '%s keeps failing until the retries run out: the execution fails, a new delete execution converges',
    async (step) => {
      const { fork } = await h.create({ source: 'orders-prod' });
      expect(fork.status).toBe('ready');
      // moto deletes an instance at once, so check-gone runs only when delete-database says "not yet".
      const faulty = h.withHandlers((handlers) =>
        injectFaults({ [step]: 'after' })(step === 'check-gone' ? notGoneYet(handlers) : handlers),
      );
      const first = await faulty.delete(fork.id);
      expect(first.execution?.status).toBe('FAILED');
      expect(first.execution?.error?.error).toBe('InjectedFaultError');
      // Still marked for deletion (or already deleted when the last step's write landed).
      expect(['deleting', 'deleted']).toContain(first.fork.status);

      // The API does not start a second delete of a `deleting` fork; the reconciler (or an operator)
      // starts the workflow again under a new execution name.
      const again = h.workflows.start('delete', `${fork.id}-again`, fork.id);
      await again.done;
      expect(again.status).toBe('SUCCEEDED');
      expect((await h.rt.store.mustGet(fork.id)).status).toBe('deleted');
      expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    },
  );
});
