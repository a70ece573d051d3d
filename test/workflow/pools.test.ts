import { CreateDBInstanceCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFork } from '../../lambdas/api/routes/create-fork.js';
import { createForkBodySchema, type ForkRecord, POOL_OWNER } from '../../lambdas/core/fork.js';
import { TAG, tagValue } from '../../lambdas/core/tags.js';
import { createPoolKeeper, FAILURES_TO_PAUSE } from '../../lambdas/events/pool-keeper.js';
import { createFullReconcile } from '../../lambdas/events/reconcile-all.js';
import { resetMoto, setEmulatorConfig } from '../support/moto.js';
import {
  type Harness,
  InjectedFaultError,
  NOTHING_LEFT,
  OWNER,
  tagsOf,
  workflowHarness,
} from '../support/workflow-harness.js';

/**
 * Warm pools on the synthesized CreateFork against moto: members warm and park, a create claims
 * one, the keeper refills, recycles and drains, and nothing is ever lost or left behind.
 */

const POOL = { source: 'orders-prod', size: 2, maxAgeHours: 24, recycleOnNewBackup: false };

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const parked = (h: Harness) => async () =>
  (await h.rt.store.pools.members()).filter((m) => m.step === 'pooled' && m.pool?.claimToken);

/** Runs the keeper, then waits until the pool has `size` parked members. */
async function fill(h: Harness, size = POOL.size): Promise<ForkRecord[]> {
  await createPoolKeeper(h.rt)();
  return until(parked(h), (members) => members.length >= size, `${size} parked members`);
}

async function databases(h: Harness): Promise<string[]> {
  const out = await h.clients.rds.send(new DescribeDBInstancesCommand({}));
  return (out.DBInstances ?? []).map((i) => i.DBInstanceIdentifier ?? '').sort();
}

/** Retires every member still parked (a test's end: their executions must not wait on). */
async function drain(h: Harness): Promise<void> {
  const keeper = createPoolKeeper({
    ...h.rt,
    env: { ...h.rt.env, policy: { ...h.rt.env.policy, pools: [] } },
  });
  await keeper();
  await h.workflows.idle();
}

// Members warm through the whole create on the emulator: allow a loaded machine its time.
describe('warm pools (moto)', { timeout: 120_000 }, () => {
  beforeEach(async () => {
    await resetMoto();
  });

  it('warms members that are nobody’s forks: parked, tagged for their pool, no secret, no DNS name, not listed', async () => {
    const h = await workflowHarness({ pools: [POOL] });
    const members = await fill(h);

    expect(members).toHaveLength(2);
    for (const member of members) {
      expect(member).toMatchObject({
        owner: POOL_OWNER,
        status: 'creating',
        step: 'pooled',
        pool: { source: 'orders-prod' },
      });
      expect(member.pool?.readyAt).toBeDefined();
      expect(member.restore.resolved?.snapshotId).toBeDefined();
      expect(
        await tagsOf(
          h,
          (await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: member.id })))
            .DBInstances?.[0]?.DBInstanceArn ?? '',
        ),
      ).toMatchObject({
        [TAG.managed]: 'true',
        [TAG.forkId]: member.id,
        [TAG.pool]: 'orders-prod',
      });
      const left = await h.leftovers(member.id);
      expect(left.secrets).toEqual([]);
      expect(left.dnsRecords).toEqual([]);
      expect(member.history.map((e) => e.step)).toContain('scrambling-credentials');
    }
    expect((await h.rt.listing.list({ limit: 50 })).items).toEqual([]);
    expect((await h.rt.listing.list({ limit: 50, status: 'creating' })).items).toEqual([]);
    await drain(h);
  });

  it('hands a ready member to a latest-backup create: the fork gets credentials, secret, DNS name and expiry, says where it came from, and the pool is refilled', async () => {
    const h = await workflowHarness({ pools: [POOL] });
    const members = await fill(h);
    const newest = [...members].sort((a, b) =>
      (b.pool?.readyAt ?? '').localeCompare(a.pool?.readyAt ?? ''),
    )[0];

    const { fork, execution } = await h.create({
      source: 'orders-prod',
      name: 'from-pool',
      ttlHours: 2,
      tags: { pr: '7' },
    });

    expect(fork.id).toBe(newest?.id);
    expect(fork).toMatchObject({ status: 'ready', name: 'from-pool', owner: OWNER });
    expect(fork.pool).toBeUndefined();
    expect(fork.restore).toMatchObject({
      requested: { type: 'latest-backup' },
      resolved: newest?.restore.resolved,
      pool: { source: 'orders-prod', memberReadyAt: newest?.pool?.readyAt },
    });
    expect(fork.secretArn).toBeDefined();
    // The member's database now carries the fork's tags, and no longer its pool's.
    const [database] =
      (await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: fork.id })))
        .DBInstances ?? [];
    const tags = await tagsOf(h, database?.DBInstanceArn ?? '');
    expect(tags).toMatchObject({
      [TAG.managed]: 'true',
      [TAG.forkId]: fork.id,
      [TAG.expiresAt]: fork.expiresAt,
      [TAG.owner]: tagValue(OWNER),
      pr: '7',
    });
    expect(tags[TAG.pool]).toBeUndefined();
    const left = await h.leftovers(fork.id);
    expect(left.instances).toEqual([fork.id]);
    expect(left.secrets).toHaveLength(1);
    expect(left.dnsRecords).toEqual(['from-pool.forks.workflow.internal.']);
    // The member's own execution went on: one create execution, through ParkMember, to Ready.
    expect(execution.status).toBe('SUCCEEDED');
    expect(h.workflows.list(fork.id).filter((e) => e.kind === 'create')).toHaveLength(1);
    expect((await h.rt.listing.list({ limit: 50 })).items.map((f) => f.id)).toEqual([fork.id]);

    // The keeper replaces the claimed member.
    const refilled = await fill(h);
    expect(refilled.map((m) => m.id)).not.toContain(fork.id);

    await h.delete(fork.id);
    expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    await drain(h);
  });

  it('takes no member for another restore type, nor from an empty pool', async () => {
    const h = await workflowHarness({ pools: [{ ...POOL, size: 1 }] });
    const [member] = await fill(h, 1);

    const pit = await h.create({
      source: 'orders-prod',
      name: 'pit',
      restore: { type: 'point-in-time', latest: true },
    });
    expect(pit.fork.restore.pool).toBeUndefined();
    expect(pit.fork.id).not.toBe(member?.id);

    const claimed = await h.create({ source: 'orders-prod', name: 'claims' });
    expect(claimed.fork.id).toBe(member?.id);
    // The pool is empty until the keeper runs again: the next create is restored as usual.
    const cold = await h.create({ source: 'orders-prod', name: 'cold' });
    expect(cold.fork.status).toBe('ready');
    expect(cold.fork.restore.pool).toBeUndefined();

    for (const fork of [pit.fork, claimed.fork, cold.fork]) await h.delete(fork.id);
    await drain(h);
  });

  it('gives each of K members to exactly one of N concurrent creates; the others are restored as usual', async () => {
    const h = await workflowHarness({ pools: [POOL] });
    const members = await fill(h);
    const bodies = Array.from({ length: 5 }, (_, i) =>
      createForkBodySchema.parse({ source: 'orders-prod', name: `race-${i}` }),
    );

    const forks = (await Promise.all(bodies.map((body) => createFork(h.rt, { owner: OWNER, body })))).map(
      (r) => r.fork,
    );
    await h.workflows.idle();

    const fromPool = forks.filter((f) => f.restore.pool);
    expect(fromPool.map((f) => f.id).sort()).toEqual(members.map((m) => m.id).sort());
    expect(new Set(forks.map((f) => f.id)).size).toBe(5);
    for (const fork of forks) expect((await h.rt.store.mustGet(fork.id)).status).toBe('ready');
    for (const fork of forks) await h.delete(fork.id);
    for (const fork of forks) expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
    await drain(h);
  });

  it('never both claims and retires a member: whichever write comes first wins', async () => {
    const h = await workflowHarness({ pools: [{ ...POOL, size: 1 }] });
    const [member] = await fill(h, 1);
    if (!member) throw new Error('no member');
    const { pool: _pool, ...asFork } = member;

    const [token, claim] = await Promise.all([
      h.rt.store.pools.retire(member, 'test'),
      h.rt.store.pools.claim(member, { ...asFork, owner: OWNER, name: 'raced', step: 'claimed' }),
    ]);

    expect([token !== undefined, claim !== undefined].filter(Boolean)).toHaveLength(1);
    if (token) await h.rt.tasks.fail(token, 'PoolMemberRetired', 'test');
    else await h.rt.tasks.succeed(member.pool?.claimToken ?? '', { forkId: member.id });
    await h.workflows.idle();
    const after = await h.rt.store.mustGet(member.id);
    expect(after.status).toBe(token ? 'failed' : 'ready');
    if (!token) await h.delete(member.id);
    expect(await h.leftovers(member.id)).toEqual(NOTHING_LEFT);
    await drain(h);
  });

  it('recycles a member past its age once its replacement is ready, and drains a pool no longer configured, leaving nothing', async () => {
    const h = await workflowHarness({ pools: [{ ...POOL, size: 1 }] });
    const [old] = await fill(h, 1);
    if (!old) throw new Error('no member');
    const later = new Date(Date.parse(old.createdAt) + 25 * 3_600_000);
    const keepLater = createPoolKeeper(h.rt, { now: () => later });

    // Past its age: a replacement starts; the old one stays until the replacement is ready.
    const first = await keepLater();
    expect(first.actions.map((a) => a.action)).toEqual(['warm']);
    await until(parked(h), (m) => m.length === 2, 'two parked members');
    const second = await keepLater();
    expect(second.actions).toEqual([
      expect.objectContaining({
        action: 'retire',
        forkId: old.id,
        detail: expect.stringMatching(/older than 24 h; replaced/),
      }),
    ]);
    await h.workflows.idle();
    expect(await h.rt.store.mustGet(old.id)).toMatchObject({
      status: 'failed',
      pool: { source: 'orders-prod' },
    });
    expect(await h.leftovers(old.id)).toEqual(NOTHING_LEFT);

    await drain(h);
    expect(await h.rt.store.pools.members()).toEqual([]);
    expect(await databases(h)).toEqual(['orders-prod']);
    expect((await h.clients.secrets.send(new ListSecretsCommand({}))).SecretList ?? []).toEqual([]);
  });

  it.each(['register-dns', 'schedule-expiry', 'mark-ready'] as const)(
    'cleans up a claimed fork that fails at %s like any failed create, the member’s database included',
    async (step) => {
      const h = await workflowHarness({ pools: [{ ...POOL, size: 1 }], faults: { [step]: 'before' } });
      const [member] = await fill(h, 1);

      const { fork } = await h.create({ source: 'orders-prod', name: 'doomed' });

      expect(fork.id).toBe(member?.id);
      expect(fork.status).toBe('failed');
      expect(fork.error?.message).toMatch(/injected/i);
      expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
      // Its name is free again, and the pool is refilled by the next run.
      await fill(h, 1);
      await drain(h);
    },
  );

  it.each(['rotate-credentials', 'check-credentials'] as const)(
    'cleans up a claimed fork whose %s fails after the claim, the member’s database included',
    async (step) => {
      const base = await workflowHarness({ pools: [{ ...POOL, size: 1 }] });
      // The step fails only on the claimed path (its state has no `pool` any more): the member warms.
      const h = base.withHandlers((handlers) => ({
        ...handlers,
        [step]: async (input: unknown) => {
          if (!(input as { pool?: unknown }).pool)
            throw new InjectedFaultError(`injected: ${step} after the claim`);
          return handlers[step](input);
        },
      }));
      await createPoolKeeper(h.rt)();
      const [member] = await until(parked(h), (m) => m.length === 1, 'a parked member');

      const { fork } = await createFork(h.rt, {
        owner: OWNER,
        body: createForkBodySchema.parse({ source: 'orders-prod', name: 'doomed' }),
      });
      await h.workflows.idle();

      expect(fork.id).toBe(member?.id);
      expect(await h.rt.store.mustGet(fork.id)).toMatchObject({
        status: 'failed',
        error: { code: 'InjectedFaultError' },
      });
      expect(await h.leftovers(fork.id)).toEqual(NOTHING_LEFT);
      expect(await h.rt.store.findLiveByName('doomed')).toBeUndefined();
    },
  );

  it.each(['before', 'after'] as const)(
    'cleans up a member whose park fails %s its write like any failed create, nothing left',
    async (when) => {
      const h = await workflowHarness({ pools: [{ ...POOL, size: 1 }], faults: { 'park-member': when } });

      const [warmed] = (await createPoolKeeper(h.rt)()).actions;
      await h.workflows.idle();

      const member = await h.rt.store.mustGet(warmed?.forkId ?? '');
      expect(member).toMatchObject({ status: 'failed', pool: { source: 'orders-prod' } });
      expect(await h.leftovers(member.id)).toEqual(NOTHING_LEFT);
      expect(await h.rt.store.pools.members()).toEqual([]);
    },
  );

  it('answers 503 when the claimed member’s workflow is gone; the fork ends failed and its database is swept', async () => {
    const h = await workflowHarness({ pools: [{ ...POOL, size: 1 }] });
    const [member] = await fill(h, 1);
    if (!member?.pool?.claimToken) throw new Error('no member');
    const liveToken = member.pool.claimToken;
    // As if its execution had ended without the record knowing: the stored token answers stale.
    await h.rt.store.pools.park(member.id, 'a-token-no-execution-holds');

    await expect(
      createFork(h.rt, {
        owner: OWNER,
        body: createForkBodySchema.parse({ source: 'orders-prod', name: 'stale' }),
      }),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });

    expect(await h.rt.store.mustGet(member.id)).toMatchObject({
      status: 'failed',
      error: { code: 'workflow_not_started' },
    });
    expect(await h.rt.store.findLiveByName('stale')).toBeUndefined();
    // The real parked execution is ended, and the reconciler removes the database nobody claims.
    await h.rt.tasks.fail(liveToken, 'PoolMemberRetired', 'test');
    await h.workflows.idle();
    for (let pass = 0; pass < 40 && (await h.leftovers(member.id)).instances.length > 0; pass++) {
      await createFullReconcile(h.rt)();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await h.leftovers(member.id)).toEqual(NOTHING_LEFT);
  });

  it('answers 503 when Step Functions does not answer the claim; the fork ends failed and nothing is left', async () => {
    const h = await workflowHarness({ pools: [{ ...POOL, size: 1 }] });
    const [member] = await fill(h, 1);
    if (!member?.pool?.claimToken) throw new Error('no member');
    const unanswered = {
      ...h.rt,
      tasks: {
        succeed: async () => {
          throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
        },
        fail: h.rt.tasks.fail,
      },
    };

    await expect(
      createFork(unanswered, {
        owner: OWNER,
        body: createForkBodySchema.parse({ source: 'orders-prod', name: 'unanswered' }),
      }),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });

    expect(await h.rt.store.mustGet(member.id)).toMatchObject({ status: 'failed' });
    expect(await h.rt.store.findLiveByName('unanswered')).toBeUndefined();
    // The member's workflow never heard of the claim: the sweep removes the database no live record
    // claims, and the workflow, once it goes on (here: its token failed), finds nothing left to do.
    for (let pass = 0; pass < 40 && (await h.leftovers(member.id)).instances.length > 0; pass++) {
      await createFullReconcile(h.rt)();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await h.rt.tasks.fail(member.pool.claimToken, 'PoolMemberRetired', 'test');
    await h.workflows.idle();
    expect(await h.leftovers(member.id)).toEqual(NOTHING_LEFT);
    expect((await h.rt.store.mustGet(member.id)).status).toBe('failed');
  });

  it('stops warming a pool whose members fail to restore, each failed member cleaned up like a failed fork', async () => {
    const h = await workflowHarness({ pools: [{ ...POOL, size: 1 }] });
    const failedMembers: string[] = [];
    for (let attempt = 0; attempt < FAILURES_TO_PAUSE; attempt++) {
      await setEmulatorConfig({ failures: { nextRestore: 'restore-error' } });
      const keeping = await createPoolKeeper(h.rt)();
      const [warmed] = keeping.actions;
      expect(warmed?.action).toBe('warm');
      await h.workflows.idle();
      const member = await h.rt.store.mustGet(warmed?.forkId ?? '');
      expect(member).toMatchObject({ status: 'failed', error: { code: 'RestoreFailedError' } });
      expect(await h.leftovers(member.id)).toEqual(NOTHING_LEFT);
      failedMembers.push(member.id);
    }

    const paused = await createPoolKeeper(h.rt)();

    expect(paused.actions).toEqual([]);
    expect(paused.errors).toEqual([
      expect.objectContaining({
        action: 'warm',
        detail: expect.stringMatching(/^warming paused: 2 members failed/),
      }),
    ]);
    expect(await h.rt.store.pools.members()).toEqual([]);
    expect(failedMembers).toHaveLength(2);
  });

  it('removes an untracked pool member’s database through the tag-guarded teardown, and touches nothing else', async () => {
    const h = await workflowHarness({ pools: [{ ...POOL, size: 1 }] });
    const [member] = await fill(h, 1);
    // A member database whose record is gone (tagged as the keeper tags them), and a look-alike
    // that is not dbfork's.
    const untracked = 'fork-untracked001';
    for (const [id, tags] of [
      [untracked, { [TAG.managed]: 'true', [TAG.forkId]: untracked, [TAG.pool]: 'orders-prod' }],
      ['fork-lookalike001', { [TAG.pool]: 'orders-prod' }],
    ] as const) {
      await h.clients.rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: id,
          Engine: 'postgres',
          DBInstanceClass: 'db.t4g.micro',
          AllocatedStorage: 20,
          MasterUsername: 'planted',
          MasterUserPassword: 'planted-password-1',
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    }

    for (let pass = 0; pass < 40 && (await databases(h)).includes(untracked); pass++) {
      await createFullReconcile(h.rt)();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    expect(await databases(h)).toEqual(['fork-lookalike001', member?.id, 'orders-prod'].sort());
    expect((await h.rt.store.mustGet(member?.id ?? '')).step).toBe('pooled');
    await drain(h);
  });
});
