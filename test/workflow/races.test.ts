import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { deleteFork } from '../../lambdas/api/routes/delete-fork.js';
import { scheduleName, warningScheduleName } from '../../lambdas/core/ids.js';
import { createPoolKeeper } from '../../lambdas/events/pool-keeper.js';
import { STEPS } from '../../lambdas/steps/registry.js';
import type { StepName } from '../../lambdas/steps/step-names.js';
import { fireDueSchedules } from '../../local/scheduler-emulation.js';
import { resetMoto } from '../support/moto.js';
import {
  type Harness,
  injectFaults,
  NOTHING_LEFT,
  OWNER,
  SCHEDULE_GROUP,
  workflowHarness,
} from '../support/workflow-harness.js';

/**
 * Races (DESIGN §3): two deletes, a delete during the create, and expiry during a
 * delete all converge to one `deleted` record and nothing left; every step handler run twice on
 * the same input answers the same and makes nothing twice.
 */

/** Fires the expiry schedules as Scheduler would, as of `at`. */
function fireExpiry(h: Harness, at: string) {
  return fireDueSchedules({
    scheduler: h.clients.scheduler,
    groupName: SCHEDULE_GROUP,
    deleteStateMachineArn: h.rt.env.deleteStateMachineArn ?? '',
    workflows: h.workflows,
    now: new Date(Date.parse(at) + 1000),
  });
}

async function expectDeletedAndNothingLeft(h: Harness, forkId: string): Promise<void> {
  await h.workflows.idle();
  const fork = await h.rt.store.mustGet(forkId);
  expect({ status: fork.status, step: fork.step }).toEqual({ status: 'deleted', step: 'deleted' });
  // One record: the fork's own, listed once (deleted forks are listed on request).
  expect(await h.leftovers(forkId)).toEqual(NOTHING_LEFT);
  await expect(h.rt.secrets.read(forkId)).resolves.toBeUndefined();
}

describe('races between create, delete and expiry (moto)', () => {
  let h: Harness;

  beforeAll(async () => {
    await resetMoto();
    h = await workflowHarness();
  });

  it('two delete executions of the same fork at once: one deleted record, nothing left', async () => {
    const { fork } = await h.create({ source: 'orders-prod', restore: { type: 'fresh-snapshot' } });
    expect(fork.status).toBe('ready');
    // Two API deletes at once: both answer `deleting`, and they start ONE execution between them
    // (the same execution name, as StartExecution dedups a running name).
    const outcomes = await Promise.all([deleteFork(h.rt, fork.id, OWNER), deleteFork(h.rt, fork.id, OWNER)]);
    expect(outcomes.map((o) => o.fork.status)).toEqual(['deleting', 'deleting']);
    expect(h.workflows.list(fork.id).filter((e) => e.kind === 'delete')).toHaveLength(1);
    // And a second execution (as a reconciler or an operator would start) racing the first.
    const second = h.workflows.start('delete', `${fork.id}-second`, fork.id);
    await expectDeletedAndNothingLeft(h, fork.id);
    const executions = h.workflows.list(fork.id).filter((e) => e.kind === 'delete');
    expect(executions).toHaveLength(2);
    expect(executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(second.status).toBe('SUCCEEDED');
    // deletedAt was written once and kept.
    const record = await h.rt.store.mustGet(fork.id);
    expect(record.history.filter((e) => e.step === 'deleted')).toHaveLength(1);
  });

  it.each([
    ['select-backup', 'while the create runs on'],
    ['check-snapshot', 'while the create runs on'],
    ['restore', 'while the create runs on'],
    ['check-database', 'while the create runs on'],
    ['rotate-credentials', 'while the create runs on'],
    ['register-dns', 'while the create runs on'],
    ['schedule-expiry', 'while the create runs on'],
    // The whole delete finishes before the create's next step: its wait loops must not poll on for
    // a database that is gone (they would, for hours, before check-* gave up on a deleted fork).
    ['select-backup', 'and completes before the create goes on'],
    ['restore', 'and completes before the create goes on'],
    ['rotate-credentials', 'and completes before the create goes on'],
  ] as const)(
    'a delete requested right after %s of the create, %s, converges: deleted, nothing left',
    async (after, mode) => {
      let forkId = '';
      let fired = false;
      const racing: Harness = h.withHandlers((handlers) => ({
        ...handlers,
        [after]: async (input: unknown) => {
          const out = await handlers[after](input);
          if (!fired) {
            fired = true;
            // An event-driven wait invokes its check with `{ state, taskToken }`.
            const given = input as { forkId?: string; state?: { forkId: string } };
            forkId = given.forkId ?? given.state?.forkId ?? '';
            const { started } = await deleteFork(racing.rt, forkId, OWNER);
            expect(started).toBe(true);
            if (mode.startsWith('and completes')) {
              await racing.workflows.list(forkId).find((e) => e.kind === 'delete')?.done;
              expect((await racing.rt.store.mustGet(forkId)).status).toBe('deleted');
            }
          }
          return out;
        },
      }));
      const { fork, execution } = await racing.create({
        source: 'orders-prod',
        restore: { type: 'fresh-snapshot' },
      });
      expect(fired).toBe(true);
      expect(fork.id).toBe(forkId);
      // The create gave up (its cleanup ran) and the delete owns the record.
      expect(execution.status).toBe('FAILED');
      await expectDeletedAndNothingLeft(racing, fork.id);
    },
  );

  it('expiry fires while a delete is running: converges, nothing left', async () => {
    const { fork } = await h.create({ source: 'orders-prod', ttlHours: 1 });
    expect(fork.status).toBe('ready');
    let fired: unknown[] = [];
    // Scheduler fires the expiry while the API's delete is between deleting the database and the secret.
    const racing = h.withHandlers((handlers) => ({
      ...handlers,
      'delete-database': async (input: unknown) => {
        if (fired.length === 0) fired = await fireExpiry(racing, fork.expiresAt);
        return handlers['delete-database'](input);
      },
    }));
    await deleteFork(racing.rt, fork.id, OWNER);
    await expectDeletedAndNothingLeft(racing, fork.id);
    expect(fired).toEqual([{ name: expect.any(String), forkId: fork.id, target: 'delete-workflow' }]);
    const executions = racing.workflows.list(fork.id).filter((e) => e.kind === 'delete');
    expect(executions.map((e) => e.name).sort()).toEqual([`${fork.id}-api`, `${fork.id}-expiry`]);
    expect(executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
  });

  it('expiry fires after the delete finished: the late execution is a no-op', async () => {
    const { fork } = await h.create({ source: 'orders-prod', ttlHours: 1 });
    await h.delete(fork.id);
    const late = h.workflows.start('delete', `${fork.id}-expiry`, fork.id);
    await late.done;
    expect(late.status).toBe('SUCCEEDED');
    expect(late.output).toMatchObject({ alreadyDeleted: true });
    await expectDeletedAndNothingLeft(h, fork.id);
  });
});

/** The result of a step with its poll clock (which reads "now") left out. */
function comparable(result: unknown): unknown {
  const { poll, ...rest } = result as { poll?: { count: number } };
  return poll ? { ...rest, pollCount: poll.count } : rest;
}

/**
 * A check observes AWS, which moves on between two calls (a restore becomes `available`): its second
 * answer may only be the same or further along — never "not ready" after "ready".
 */
function sameOrFurther(first: unknown, second: unknown): unknown {
  const before = first as { ready?: boolean };
  const after = second as { ready?: boolean };
  return before.ready === false && after.ready === true ? second : first;
}

describe('every step handler run twice on the same input gives the same result (moto)', () => {
  let h: Harness;
  const twice = new Map<StepName, number>();

  /** Runs each handler twice in a row with the same input and checks both answers agree. */
  const runTwice = (handlers: Parameters<Parameters<Harness['withHandlers']>[0]>[0]) =>
    Object.fromEntries(
      Object.entries(handlers).map(([name, handler]) => [
        name,
        async (input: unknown) => {
          const first = await handler(input);
          const second = await handler(input);
          const expected = name.startsWith('check-') ? sameOrFurther(first, second) : first;
          expect(comparable(second), `${name} answered differently the second time`).toEqual(
            comparable(expected),
          );
          twice.set(name as StepName, (twice.get(name as StepName) ?? 0) + 1);
          return second;
        },
      ]),
    ) as typeof handlers;

  beforeAll(async () => {
    await resetMoto();
    // With a post-restore hook, so run-hook runs twice too (and must not run the hook twice), and a
    // warm pool the test fills once, so park-member does.
    h = await workflowHarness({
      pools: [{ source: 'orders-prod', size: 1, maxAgeHours: 24, recycleOnNewBackup: false }],
      postRestoreHook: {
        hooks: [
          { name: 'records', path: fileURLToPath(new URL('../fixtures/hooks/records.mjs', import.meta.url)) },
        ],
      },
    });
  });

  it('create + delete (fresh snapshot), then a failed create: each step twice, one of everything', async () => {
    const doubled = h.withHandlers(runTwice);
    const { fork, execution } = await doubled.create({
      source: 'orders-prod',
      restore: { type: 'fresh-snapshot' },
    });
    expect(execution.status, JSON.stringify(fork.error)).toBe('SUCCEEDED');
    expect(fork.status).toBe('ready');
    // One of each: no second instance, snapshot, secret, record or schedule was made.
    const made = await h.leftovers(fork.id);
    // (moto also keeps the fork's own automated backup, `rds:<fork id>-…`, which goes with the instance.)
    expect({
      ...made,
      snapshots: made.snapshots.filter((id) => !id.startsWith('rds:')),
      schedules: made.schedules.sort(),
    }).toEqual({
      ...NOTHING_LEFT,
      instances: [fork.id],
      snapshots: [`${fork.id}-source`],
      secrets: [`dbfork/${fork.id}`],
      dnsRecords: [`${fork.dnsName}.`],
      // The expiry and its warning.
      schedules: [scheduleName(fork.id), warningScheduleName(fork.id)],
    });
    // The password in the secret is the one the database got (a second rotation reused it).
    expect((await h.rt.secrets.read(fork.id))?.arn).toBe(fork.secretArn);
    // The hook ran once: the second run-hook found it succeeded.
    expect(fork.hook?.status).toBe('succeeded');
    const calls =
      (globalThis as { __dbforkHookCalls?: { event: { id: string; trigger: string } }[] })
        .__dbforkHookCalls ?? [];
    expect(calls.filter((call) => call.event.id === fork.id)).toHaveLength(1);

    const deleted = await doubled.delete(fork.id);
    expect(deleted.execution?.status).toBe('SUCCEEDED');
    expect(deleted.fork.status).toBe('deleted');
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);

    // The failure path's steps (mark-deleting in cleanup mode, mark-failed) twice as well.
    const failing = h.withHandlers((handlers) =>
      runTwice(injectFaults({ 'register-dns': 'after' })(handlers)),
    );
    const failed = await failing.create({ source: 'orders-prod' });
    expect(failed.fork.status).toBe('failed');
    expect(await h.leftovers(failed.fork.id)).toEqual(NOTHING_LEFT);

    // A refresh, then one that fails at its take-over: every refresh step twice, one of everything.
    const { fork: kept } = await h.create({ source: 'orders-prod' });
    const refreshed = await doubled.refresh(kept.id);
    expect(refreshed.execution.status).toBe('SUCCEEDED');
    expect(refreshed.fork).toMatchObject({ databaseId: `${kept.id}-r1`, refresh: { state: 'succeeded' } });
    const afterRefresh = await h.leftovers(kept.id);
    expect({ ...afterRefresh, snapshots: [], schedules: [...afterRefresh.schedules].sort() }).toEqual({
      ...NOTHING_LEFT,
      instances: [`${kept.id}-r1`],
      secrets: [`dbfork/${kept.id}`],
      dnsRecords: [`${kept.dnsName}.`],
      // The expiry and its warning.
      schedules: [`dbfork-${kept.id}`, `dbfork-warn-${kept.id}`],
    });
    const failingRefresh = h.withHandlers((handlers) =>
      runTwice(injectFaults({ 'take-over': 'before' })(handlers)),
    );
    const undone = await failingRefresh.refresh(kept.id);
    expect(undone.fork).toMatchObject({
      databaseId: `${kept.id}-r1`,
      refresh: { state: 'failed', attempt: 2 },
    });
    expect((await h.leftovers(kept.id)).instances).toEqual([`${kept.id}-r1`]);
    // run-hook ran twice in each refresh, the hook once per refresh (the failed one's before take-over).
    const keptCalls = calls.filter((call) => call.event.id === kept.id);
    expect(keptCalls.map((call) => call.event.trigger)).toEqual(['create', 'refresh', 'refresh']);
    await h.delete(kept.id);
    expect(await h.leftovers(kept.id)).toEqual(NOTHING_LEFT);

    // Once the database is gone, check-gone still answers the same twice.
    const gone = [
      await STEPS['check-gone'].run({ forkId: fork.id, mode: 'delete' }, h.rt),
      await STEPS['check-gone'].run({ forkId: fork.id, mode: 'delete' }, h.rt),
    ];
    expect(gone.map(comparable)).toEqual([
      { forkId: fork.id, mode: 'delete', ready: true },
      { forkId: fork.id, mode: 'delete', ready: true },
    ]);
    // A warm-pool member warmed and claimed with every step twice: one member, one fork.
    await createPoolKeeper(doubled.rt)();
    // Warming with every step twice takes a while on a loaded machine: wait for the park, bounded.
    const parkedBy = Date.now() + 90_000;
    while (!(await h.rt.store.pools.members()).some((m) => m.step === 'pooled')) {
      if (Date.now() > parkedBy) throw new Error('the pool member never parked');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const claimed = await doubled.create({ source: 'orders-prod', name: 'claimed-twice' });
    expect(claimed.fork).toMatchObject({ status: 'ready', restore: { pool: { source: 'orders-prod' } } });
    expect((await h.leftovers(claimed.fork.id)).secrets).toEqual([`dbfork/${claimed.fork.id}`]);
    await h.delete(claimed.fork.id);
    expect(await h.leftovers(claimed.fork.id)).toEqual(NOTHING_LEFT);

    // Every step ran twice on the same input at least once (the database passes through `deleting`,
    // so the delete polls check-gone too).
    expect((Object.keys(STEPS) as StepName[]).filter((name) => !twice.has(name))).toEqual([]);
  }, 240_000);
});
